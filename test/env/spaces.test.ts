import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createRng } from '../../src/core/rng.js';
import { Box } from '../../src/env/spaces/box.js';
import { Dict } from '../../src/env/spaces/dict.js';
import { Discrete } from '../../src/env/spaces/discrete.js';
import { Slate } from '../../src/env/spaces/slate.js';

describe('Discrete', () => {
  it('samples integers in [start, start + n) that it contains', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 50 }), fc.integer({ min: -5, max: 5 }), fc.integer({ min: 0 }), (n, start, seed) => {
        const space = new Discrete(n, start);
        const value = space.sample(createRng(seed));
        return space.contains(value) && value >= start && value < start + n;
      }),
    );
  });

  it('rejects values outside, fractions and non-numbers', () => {
    const space = new Discrete(5);
    for (const bad of [-1, 5, 1.5, '1', null, Number.NaN]) expect(space.contains(bad)).toBe(false);
    expect(space.explain(7)).toBe('expected an integer in [0, 4], actual 7');
    expect(space.toString()).toBe('Discrete(5)');
  });

  it('throws at construction for n < 1', () => {
    expect(() => new Discrete(0)).toThrow(RangeError);
  });
});

describe('Box', () => {
  it('samples typed arrays of its dtype and shape within the bounds', () => {
    fc.assert(
      fc.property(fc.integer({ min: -10, max: 10 }), fc.integer({ min: 0, max: 20 }), fc.integer({ min: 0, max: 8 }), fc.integer({ min: 0 }), (low, span, size, seed) => {
        const space = new Box({ low, high: low + span, shape: [size], dtype: 'int32' });
        return space.contains(space.sample(createRng(seed)));
      }),
    );
  });

  it('rejects wrong types, lengths and values', () => {
    const space = new Box({ low: -1, high: 4, shape: [3], dtype: 'int8' });
    expect(space.contains(Int8Array.of(-1, 0, 4))).toBe(true);
    expect(space.contains(Int8Array.of(-1, 0, 5))).toBe(false);
    expect(space.contains(Int32Array.of(-1, 0, 4))).toBe(false);
    expect(space.contains([0, 0, 0])).toBe(false);
    expect(space.contains(new Int8Array(4))).toBe(false);
    expect(space.explain(Int8Array.of(0, -2, 0))).toBe('expected elements in [-1, 4], actual -2 at index 1');
  });

  it('throws at construction for bounds the dtype cannot hold', () => {
    expect(() => new Box({ low: 0, high: 300, shape: [1], dtype: 'uint8' })).toThrow(RangeError);
    expect(() => new Box({ low: 2, high: 1, shape: [1], dtype: 'int32' })).toThrow(RangeError);
  });
});

describe('Dict', () => {
  const space = new Dict({
    a: new Box({ low: 0, high: 3, shape: [2], dtype: 'int32' }),
    b: new Box({ low: 0, high: 1, shape: [2], dtype: 'uint8' }),
  });

  it('samples objects with exactly its keys', () => {
    const value = space.sample(createRng(1));
    expect(Object.keys(value)).toEqual(['a', 'b']);
    expect(space.contains(value)).toBe(true);
  });

  it('rejects missing, extra and invalid keys, naming the key', () => {
    const value = space.sample(createRng(1));
    expect(space.contains({ a: value.a })).toBe(false);
    expect(space.contains({ ...value, c: 1 })).toBe(false);
    expect(space.explain({ ...value, b: Uint8Array.of(0, 2) })).toBe('b: expected elements in [0, 1], actual 2 at index 1');
  });
});

describe('Slate', () => {
  const items = Int32Array.of(3, 5, 8, 13, 21, 34);

  it('samples distinct allowed items', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 6 }), fc.integer({ min: 0 }), (size, seed) => {
        const space = new Slate({ size, items });
        const slate = space.sample(createRng(seed));
        return space.contains(slate) && new Set(slate).size === size && slate.every((i) => items.includes(i));
      }),
    );
  });

  it('rejects duplicates, items outside the set, wrong lengths and plain arrays', () => {
    const space = new Slate({ size: 3, items });
    expect(space.contains(Int32Array.of(3, 5, 8))).toBe(true);
    expect(space.explain(Int32Array.of(3, 5, 3))).toBe('expected distinct item indices, actual 3 at indices 0 and 2');
    expect(space.explain(Int32Array.of(3, 4, 8))).toBe('expected catalogue item indices, actual 4 at index 1');
    expect(space.contains(Int32Array.of(3, 5))).toBe(false);
    expect(space.contains([3, 5, 8])).toBe(false);
  });

  it('throws at construction when there are fewer items than the slate size', () => {
    expect(() => new Slate({ size: 7, items })).toThrow(/at least 7 items/);
  });
});
