import { describe, expect, it } from 'vitest';
import { decodeBinaryRequest, encodeBinaryRequest, isInt32List } from '../../src/server/binary-request.js';

describe('encodeBinaryRequest / decodeBinaryRequest', () => {
  it('round-trips step and stepVector requests, aligned in their buffer or not', () => {
    const actions = Int32Array.of(0, -1, 2147483647, -2147483648);
    const frame = encodeBinaryRequest({ type: 'stepVector', id: 2 ** 53 - 1, handle: 3, actions });
    expect(frame.length).toBe(32 + 16);
    expect(Buffer.from(frame.subarray(0, 4)).toString('latin1')).toBe('RGA1');
    expect(decodeBinaryRequest(Buffer.from(frame))).toEqual({ ok: true, request: { type: 'stepVector', id: 2 ** 53 - 1, handle: 3, actions } });
    const shifted = Buffer.alloc(frame.length + 1);
    shifted.set(frame, 1);
    const unaligned = decodeBinaryRequest(shifted.subarray(1));
    expect(unaligned).toEqual({ ok: true, request: { type: 'stepVector', id: 2 ** 53 - 1, handle: 3, actions } });
    expect(decodeBinaryRequest(Buffer.from(encodeBinaryRequest({ type: 'step', id: 0, handle: 1, actions: [] })))).toEqual({
      ok: true,
      request: { type: 'step', id: 0, handle: 1, actions: new Int32Array(0) },
    });
  });

  it('tells which action lists a binary request can carry exactly', () => {
    expect([[1, -2, 2147483647], Int32Array.of(5), [], [2147483648], [1.5], [-0], ['1'], [Number.NaN]].map(isInt32List)).toEqual([
      true,
      true,
      true,
      false,
      false,
      false,
      false,
      false,
    ]);
  });
});
