import { isUtf8 } from 'node:buffer';
import type { z } from 'zod';
import { ErrorCode } from '../core/errors.js';
import { REQUEST_HEADER_BYTES, REQUEST_MAGIC } from './binary-request.js';
import { CLIENT_MESSAGE_TYPES, ClientMessageSchema, MAX_NESTING, type ClientMessage, type ErrorMessage, type Issue } from './protocol.js';

/** A parsed client frame, or the error frame that answers it. */
export type ParsedFrame = { ok: true; message: ClientMessage } | { ok: false; error: ErrorMessage };

/** The deepest nesting of `[` and `{` in JSON text outside strings, scanned without recursion. */
function nestingOf(text: string): number {
  let depth = 0;
  let deepest = 0;
  let isInString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (isInString) {
      if (c === 0x5c) i++;
      else if (c === 0x22) isInString = false;
    } else if (c === 0x22) isInString = true;
    else if (c === 0x5b || c === 0x7b) deepest = Math.max(deepest, ++depth);
    else if (c === 0x5d || c === 0x7d) depth--;
  }
  return deepest;
}

/** An error frame for request `id`. */
export function errorFrame(id: ErrorMessage['id'], code: string, message: string, issues?: Issue[]): ErrorMessage {
  return issues === undefined ? { type: 'error', id, code, message } : { type: 'error', id, code, message, issues };
}

/** The request id of a frame (JSON text, or a binary request when `isBinary`) when it has a readable one, else null; never throws. */
export function requestIdOf(data: string | Buffer, isBinary: boolean): ErrorMessage['id'] {
  if (isBinary) {
    const bytes = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
    if (bytes.length < REQUEST_HEADER_BYTES || bytes.toString('latin1', 0, 4) !== REQUEST_MAGIC) return null;
    const id = bytes.readDoubleLE(8);
    return Number.isSafeInteger(id) && id >= 0 ? id : null;
  }
  try {
    const value: unknown = JSON.parse(typeof data === 'string' ? data : data.toString('utf8'));
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? readableId(value as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}

/** The request id of a raw frame when it has a valid one, else null. */
function readableId(value: Record<string, unknown>): ErrorMessage['id'] {
  const id = value.id;
  if (typeof id === 'number' && Number.isSafeInteger(id) && id >= 0) return id;
  if (typeof id === 'string' && id.length > 0 && id.length <= 128) return id;
  return null;
}

function issuesOf(error: z.ZodError): Issue[] {
  return error.issues.map((issue) => ({
    code: issue.code,
    path: issue.path.map((p) => (typeof p === 'number' ? p : String(p))),
    message: issue.message,
  }));
}

function describeJson(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return typeof value === 'string' ? 'a string' : `a ${typeof value}`;
}

/**
 * Parses one frame: binary, non-UTF-8, too deeply nested or non-JSON text is BAD_FRAME, an unknown `type` UNKNOWN_MESSAGE, fields
 * zod refuses INVALID_MESSAGE with the issues; the error carries the frame's id when it has one.
 */
export function parseClientFrame(data: string | Buffer, isBinary: boolean): ParsedFrame {
  if (isBinary) return { ok: false, error: errorFrame(null, ErrorCode.BAD_FRAME, 'expected a text frame of JSON, actual a binary frame') };
  if (typeof data !== 'string' && !isUtf8(data)) {
    return { ok: false, error: errorFrame(null, ErrorCode.BAD_FRAME, 'expected a text frame of UTF-8 JSON, actual bytes that are not UTF-8') };
  }
  const text = typeof data === 'string' ? data : data.toString('utf8');
  const nesting = nestingOf(text);
  if (nesting > MAX_NESTING) {
    return { ok: false, error: errorFrame(null, ErrorCode.BAD_FRAME, `expected JSON nested at most ${MAX_NESTING} levels deep, actual ${nesting}`) };
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    return { ok: false, error: errorFrame(null, ErrorCode.BAD_FRAME, `expected a JSON object, actual invalid JSON (${(error as Error).message})`) };
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return { ok: false, error: errorFrame(null, ErrorCode.BAD_FRAME, `expected a JSON object, actual ${describeJson(value)}`) };
  }
  const record = value as Record<string, unknown>;
  return fastStep(record) ?? checkedMessage(record);
}

function isInt32(x: unknown): boolean {
  return typeof x === 'number' && (x | 0) === x;
}

function isFiniteNumbers(value: unknown): boolean {
  if (!Array.isArray(value)) return false;
  for (let i = 0; i < value.length; i++) {
    const x = value[i];
    if (typeof x !== 'number' || !Number.isFinite(x)) return false;
  }
  return true;
}

/**
 * A well-formed `step` (its action a finite number or an array of them) or `stepVector` checked by
 * hand, as zod would accept it (the hot path; tested equal to the schema's answer); anything else is
 * undefined and goes to {@link checkedMessage}.
 */
function fastStep(record: Record<string, unknown>): ParsedFrame | undefined {
  const { type, handle } = record;
  if ((type !== 'step' && type !== 'stepVector') || !(Number.isSafeInteger(handle) && (handle as number) >= 1)) return undefined;
  const id = readableId(record);
  if (id === null) return undefined;
  if (type === 'step') {
    const { action } = record;
    if (!((typeof action === 'number' && Number.isFinite(action)) || isFiniteNumbers(action))) return undefined;
    return { ok: true, message: { type, id, handle: handle as number, action: action as number | number[] } };
  }
  const { actions } = record;
  if (!Array.isArray(actions)) return undefined;
  for (let i = 0; i < actions.length; i++) if (!isInt32(actions[i])) return undefined;
  return { ok: true, message: { type, id, handle: handle as number, actions } };
}

/** A message checked by its zod schema: UNKNOWN_MESSAGE for an unknown `type`, INVALID_MESSAGE with the issues for fields zod refuses. */
export function checkedMessage(record: Record<string, unknown>): ParsedFrame {
  const id = readableId(record);
  const type = record.type;
  if (typeof type !== 'string' || !(CLIENT_MESSAGE_TYPES as readonly string[]).includes(type)) {
    const actual = typeof type === 'string' ? JSON.stringify(type.slice(0, 64)) : describeJson(type);
    return { ok: false, error: errorFrame(id, ErrorCode.UNKNOWN_MESSAGE, `type: expected one of ${CLIENT_MESSAGE_TYPES.join(', ')}, actual ${actual}`) };
  }
  const parsed = ClientMessageSchema.safeParse(record);
  if (!parsed.success) {
    const issues = issuesOf(parsed.error);
    const first = issues[0];
    const where = first.path.length > 0 ? first.path.join('.') : type;
    return { ok: false, error: errorFrame(id, ErrorCode.INVALID_MESSAGE, `${type}: ${where}: ${first.message}`, issues) };
  }
  return { ok: true, message: parsed.data };
}
