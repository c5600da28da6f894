import { describe, expect, it, vi } from 'vitest';
import { decodeBinaryFrame, encodeBinaryFrame } from '../../src/server/binary-frame.js';

const MESSAGE = {
  type: 'vectorStepResult',
  id: 7,
  handle: 2,
  observations: { items: Int32Array.of(1, -2, 2147483647), mask: Uint8Array.of(1, 0, 1), behaviors: Int8Array.of(-1, 3, 0) },
  rewards: Float32Array.of(0.5, Number.NaN, -1e30),
  terminations: Uint8Array.of(0, 1, 0),
  info: { episodes: [3, 4, 5], note: 'ü' },
};

/** A frame with `header` as its JSON header and `tail` after it. */
function frameOf(header: unknown, tail: Uint8Array = new Uint8Array(0)): Buffer {
  const json = Buffer.from(JSON.stringify(header));
  const start = (8 + json.length + 7) & ~7;
  const frame = Buffer.alloc(start + tail.length);
  frame.write('RGB1', 0, 'latin1');
  frame.writeUInt32LE(json.length, 4);
  json.copy(frame, 8);
  frame.set(tail, start);
  return frame;
}

describe('encodeBinaryFrame / decodeBinaryFrame', () => {
  it('round-trips a message exactly: typed arrays of every dtype at their paths, the rest as JSON', () => {
    const frame = encodeBinaryFrame(MESSAGE);
    expect(frame.length % 8).toBe(0);
    const decoded = decodeBinaryFrame(frame);
    expect(decoded).toEqual({ ok: true, message: MESSAGE });
    const float = Float64Array.of(Math.PI, -0);
    expect(decodeBinaryFrame(encodeBinaryFrame({ a: { b: { c: float } } }))).toEqual({ ok: true, message: { a: { b: { c: float } } } });
    const odd = new Uint8Array(new ArrayBuffer(16), 3, 5).fill(9);
    expect(decodeBinaryFrame(encodeBinaryFrame({ odd }))).toEqual({ ok: true, message: { odd: Uint8Array.of(9, 9, 9, 9, 9) } });
    // memory from allocUnsafe holds whatever was there: the padding must still be zeros
    const garbage = vi.spyOn(Buffer, 'allocUnsafe').mockImplementation((size: number) => Buffer.alloc(size, 0xee));
    const padded = encodeBinaryFrame({ odd, more: Int8Array.of(-1) });
    garbage.mockRestore();
    const header = padded.readUInt32LE(4);
    const start = (8 + header + 7) & ~7;
    expect([...padded.subarray(8 + header, start)].every((b) => b === 0)).toBe(true);
    expect([...padded.subarray(start)]).toEqual([9, 9, 9, 9, 9, 0, 0, 0, 255, 0, 0, 0, 0, 0, 0, 0]);
  });

  it('decodes to views of the bytes with copy: false where they are aligned, else to copies', () => {
    const frame = encodeBinaryFrame(MESSAGE);
    const views = decodeBinaryFrame(frame, { copy: false });
    expect(views).toEqual({ ok: true, message: MESSAGE });
    const { observations } = (views as unknown as { message: { observations: { items: Int32Array } } }).message;
    expect(observations.items.buffer).toBe(frame.buffer);
    const shifted = Buffer.alloc(frame.length + 2);
    frame.copy(shifted, 2);
    const unaligned = decodeBinaryFrame(shifted.subarray(2), { copy: false });
    expect(unaligned).toEqual({ ok: true, message: MESSAGE });
    const moved = (unaligned as unknown as { message: { observations: { items: Int32Array; mask: Uint8Array } } }).message.observations;
    expect(moved.items.buffer).not.toBe(shifted.buffer);
    expect(moved.mask.buffer).toBe(shifted.buffer);
    expect((decodeBinaryFrame(frame) as unknown as { message: { observations: { items: Int32Array } } }).message.observations.items.buffer).not.toBe(frame.buffer);
  });

  it('writes into scratch memory when the frame fits there, else into memory of its own', () => {
    const scratch = Buffer.alloc(4096, 0xee);
    const frame = encodeBinaryFrame(MESSAGE, scratch);
    expect(frame.buffer).toBe(scratch.buffer);
    expect(decodeBinaryFrame(frame)).toEqual({ ok: true, message: MESSAGE });
    expect(frame.equals(encodeBinaryFrame(MESSAGE))).toBe(true);
    const small = Buffer.alloc(16);
    const own = encodeBinaryFrame(MESSAGE, small);
    expect(own.buffer).not.toBe(small.buffer);
    expect(own.byteOffset).toBe(0);
    expect(own.buffer.byteLength).toBe(own.length);
  });

  it('refuses malformed frames with the reason', () => {
    const good = encodeBinaryFrame(MESSAGE);
    const reasons = [
      Buffer.from('RGB'),
      Buffer.from('XXXX\0\0\0\0'),
      frameOf({}).fill(0xff, 4, 8),
      Buffer.concat([Buffer.from('RGB1'), Buffer.from([3, 0, 0, 0]), Buffer.from([0xc3, 0x28, 0x7b])]),
      frameOf([1, 2]),
      frameOf({ message: 'x', arrays: [] }),
      frameOf({ message: {}, arrays: [{ path: ['a'], dtype: 'int64', length: 1 }] }, new Uint8Array(8)),
      frameOf({ message: {}, arrays: [{ path: ['__proto__', 'x'], dtype: 'int8', length: 1 }] }, new Uint8Array(8)),
      frameOf({ message: {}, arrays: [{ path: ['a'], dtype: 'int32', length: -1 }] }),
      frameOf({ message: {}, arrays: [{ path: ['a'], dtype: 'int32', length: 1e6 }] }, new Uint8Array(8)),
      frameOf({ message: { a: 1 }, arrays: [{ path: ['a'], dtype: 'int8', length: 1 }] }, new Uint8Array(8)),
      frameOf({ message: {}, arrays: [{ path: ['a'], dtype: 'int8', length: 1 }] }, new Uint8Array(16)),
      good.subarray(0, good.length - 8),
    ].map((frame) => {
      const decoded = decodeBinaryFrame(frame);
      return decoded.ok ? 'accepted' : decoded.reason;
    });
    expect(reasons).toMatchInlineSnapshot(`
      [
        "expected a binary frame starting with RGB1, actual 3 bytes without it",
        "expected a binary frame starting with RGB1, actual 8 bytes without it",
        "header: expected at most 8 bytes, actual a length of 4294967295",
        "header: expected UTF-8 JSON, actual The encoded data was not valid for encoding utf-8",
        "header: expected { message, arrays }, actual Array(2)",
        "header.message: expected an object, actual "x"",
        "header.arrays[0].dtype: expected one of int8, uint8, int32, float32, float64, actual "int64"",
        "header.arrays[0].path: expected 1 to 8 field names, actual Array(2)",
        "header.arrays[0].length: expected an integer >= 0, actual -1",
        "a: expected 4000000 bytes at 88, actual a frame of 96 bytes",
        "a: expected a free place in the message, actual one already set",
        "expected a frame of 88 bytes, actual 96",
        "terminations: expected 3 bytes at 472, actual a frame of 472 bytes",
      ]
    `);
  });
});
