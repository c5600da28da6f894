import { ErrorCode } from '../core/errors.js';

/**
 * A `step` or `stepVector` request as one binary frame (protocol 1.2, capability `binary-requests`),
 * all little-endian:
 *
 * | bytes | what |
 * |---|---|
 * | 0–3 | `RGA1` (ASCII) |
 * | 4–7 | the request: 1 `step`, 2 `stepVector` (uint32) |
 * | 8–15 | the request id, an integer 0 .. 2^53 - 1 (float64) |
 * | 16–23 | the env handle, an integer 1 .. 2^53 - 1 (float64) |
 * | 24–27 | N, the number of actions (uint32) |
 * | 28–31 | zero (reserved) |
 * | 32 … 32 + 4N | the int32 actions: a step's action (1 for Discrete, K for a slate), or stepVector's N × width |
 */
export const REQUEST_MAGIC = 'RGA1';

/** Bytes before the actions. */
export const REQUEST_HEADER_BYTES = 32;

/** The request kinds by their code at bytes 4–7. */
const KINDS = { 1: 'step', 2: 'stepVector' } as const;
const CODES = { step: 1, stepVector: 2 } as const;

/** A binary request, decoded. `actions` may view the frame's bytes: use it before the frame is reused. */
export interface BinaryRequest {
  readonly type: 'step' | 'stepVector';
  readonly id: number;
  readonly handle: number;
  readonly actions: Int32Array;
}

/** A decoded request, or the error code, message and readable id that answer the frame. */
export type DecodedRequest = { ok: true; request: BinaryRequest } | { ok: false; id: number | null; code: ErrorCode; reason: string };

const MAGIC_WORD = Buffer.from(REQUEST_MAGIC, 'latin1').readUInt32LE(0);

/** `request` as one binary frame, over an ArrayBuffer of its own (so it can be transferred to another thread). */
export function encodeBinaryRequest(request: { readonly type: 'step' | 'stepVector'; readonly id: number; readonly handle: number; readonly actions: ArrayLike<number> }): Uint8Array {
  const { actions } = request;
  const frame = new Uint8Array(REQUEST_HEADER_BYTES + 4 * actions.length);
  const view = new DataView(frame.buffer);
  view.setUint32(0, MAGIC_WORD, true);
  view.setUint32(4, CODES[request.type], true);
  view.setFloat64(8, request.id, true);
  view.setFloat64(16, request.handle, true);
  view.setUint32(24, actions.length, true);
  for (let i = 0; i < actions.length; i++) view.setInt32(REQUEST_HEADER_BYTES + 4 * i, actions[i], true);
  return frame;
}

/** True when every one of `values` is an int32 (what a binary request can carry exactly). */
export function isInt32List(values: ArrayLike<unknown>): boolean {
  if (values instanceof Int32Array) return true;
  for (let i = 0; i < values.length; i++) {
    const x = values[i];
    if (typeof x !== 'number' || (x | 0) !== x || Object.is(x, -0)) return false;
  }
  return true;
}

function refuse(id: number | null, code: ErrorCode, reason: string): DecodedRequest {
  return { ok: false, id, code, reason };
}

/** Reads a binary request: magic, kind, id, handle, reserved bytes and the frame's exact length are checked. */
export function decodeBinaryRequest(bytes: Buffer): DecodedRequest {
  if (bytes.length < REQUEST_HEADER_BYTES || bytes.readUInt32LE(0) !== MAGIC_WORD) {
    return refuse(null, ErrorCode.BAD_FRAME, `expected a binary request of at least ${REQUEST_HEADER_BYTES} bytes starting with ${REQUEST_MAGIC}, actual ${bytes.length} bytes without it`);
  }
  const id = bytes.readDoubleLE(8);
  if (!(Number.isSafeInteger(id) && id >= 0)) return refuse(null, ErrorCode.INVALID_MESSAGE, `binary request id (bytes 8–15): expected an integer 0 .. 2^53 - 1, actual ${id}`);
  const code = bytes.readUInt32LE(4);
  const type = KINDS[code as keyof typeof KINDS];
  if (type === undefined) return refuse(id, ErrorCode.UNKNOWN_MESSAGE, `binary request kind (bytes 4–7): expected 1 (step) or 2 (stepVector), actual ${code}`);
  const handle = bytes.readDoubleLE(16);
  if (!(Number.isSafeInteger(handle) && handle >= 1)) return refuse(id, ErrorCode.INVALID_MESSAGE, `${type}.handle (bytes 16–23): expected an integer 1 .. 2^53 - 1, actual ${handle}`);
  const reserved = bytes.readUInt32LE(28);
  if (reserved !== 0) return refuse(id, ErrorCode.BAD_FRAME, `${type}: bytes 28–31: expected 0 (reserved), actual ${reserved}`);
  const count = bytes.readUInt32LE(24);
  if (bytes.length !== REQUEST_HEADER_BYTES + 4 * count) {
    return refuse(id, ErrorCode.BAD_FRAME, `${type}: expected ${REQUEST_HEADER_BYTES} + 4 × ${count} actions = ${REQUEST_HEADER_BYTES + 4 * count} bytes, actual ${bytes.length}`);
  }
  const start = bytes.byteOffset + REQUEST_HEADER_BYTES;
  // a view when the bytes are 4-aligned in their buffer, else a copy (an Int32Array needs the alignment)
  const actions =
    start % 4 === 0
      ? new Int32Array(bytes.buffer, start, count)
      : new Int32Array(new Uint8Array(bytes.subarray(REQUEST_HEADER_BYTES)).buffer);
  return { ok: true, request: { type, id, handle, actions } };
}
