import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { IdMap } from '../../src/data/id-map.js';

describe('IdMap', () => {
  describe('#getOrAdd', () => {
    it('gives dense ids in order of first appearance', () => {
      const map = new IdMap();
      expect([50, 7, 50, 0, 7, 123456789].map((raw) => map.getOrAdd(raw))).toEqual([0, 1, 0, 2, 1, 3]);
      expect(map.size).toBe(4);
    });

    it('keeps ids that differ only in their high 32 bits apart, up to 2^53', () => {
      const map = new IdMap();
      const raws = [1, 2 ** 32 + 1, 2 ** 33 + 1, 2 ** 53, 2 ** 53 - 1];
      expect(raws.map((r) => map.getOrAdd(r))).toEqual([0, 1, 2, 3, 4]);
      expect(raws.map((r) => map.get(r))).toEqual([0, 1, 2, 3, 4]);
    });

    it('keeps every mapping while growing far past its initial capacity', () => {
      const map = new IdMap(4);
      const raws = Array.from({ length: 20_000 }, (_, i) => i * 7919 + 13);
      raws.forEach((raw, i) => expect(map.getOrAdd(raw)).toBe(i));
      expect(raws.every((raw, i) => map.get(raw) === i && map.rawOf(i) === raw)).toBe(true);
      expect(map.size).toBe(20_000);
    });
  });

  describe('#get', () => {
    it('returns -1 for an id never added, without adding it', () => {
      const map = new IdMap();
      map.getOrAdd(5);
      expect(map.get(6)).toBe(-1);
      expect(map.size).toBe(1);
    });
  });

  describe('#rawOf', () => {
    it('maps back and rejects dense ids out of range', () => {
      const map = new IdMap();
      map.getOrAdd(42);
      expect(map.rawOf(0)).toBe(42);
      expect(() => map.rawOf(1)).toThrowError(new RangeError('expected a dense id in [0, 1), actual 1'));
      expect(() => map.rawOf(-1)).toThrow(RangeError);
    });
  });

  describe('#rawIds', () => {
    it('returns a copy trimmed to size, also after trim()', () => {
      const map = new IdMap(100);
      [9, 8, 7].forEach((r) => map.getOrAdd(r));
      const ids = map.rawIds();
      expect(ids).toEqual(Float64Array.from([9, 8, 7]));
      ids[0] = 1;
      map.trim();
      expect(map.rawIds()).toEqual(Float64Array.from([9, 8, 7]));
      expect(map.getOrAdd(6)).toBe(3);
      expect(map.rawOf(3)).toBe(6);
    });
  });
});

describe('IdMap against a Map', () => {
  // Ids below 2^32 keep the map in its narrow layout; any other number moves it to the wide one.
  const narrowId = fc.integer({ min: 0, max: 2 ** 32 - 1 });
  const fewNarrowIds = fc.integer({ min: 0, max: 40 });
  const wideId = fc.oneof(
    fc.integer({ min: 2 ** 32, max: 2 ** 53 }),
    fc.constantFrom(2 ** 31, 2 ** 32, 2 ** 53, 2 ** 53 - 1, 4294967295, -0, -1, 0.5, 1e300, Infinity),
    fc.double({ noNaN: true }),
  );

  function reference(ids: number[]): { dense: number[]; raws: number[] } {
    const seen = new Map<number, number>();
    const raws: number[] = []; // as first given: a Map's keys() would turn -0 into 0
    const dense = ids.map((id) => {
      const known = seen.get(id);
      if (known !== undefined) return known;
      seen.set(id, raws.length);
      raws.push(id);
      return raws.length - 1;
    });
    return { dense, raws };
  }

  function checkAgainstMap(ids: number[], probes: number[], expectedSize: number): void {
    const map = new IdMap(expectedSize);
    const expected = reference(ids);
    expect(ids.map((id) => map.getOrAdd(id))).toEqual(expected.dense);
    expect(map.size).toBe(expected.raws.length);
    expect(Array.from(map.rawIds())).toEqual(expected.raws);
    expected.raws.forEach((raw, dense) => expect(map.get(raw)).toBe(dense));
    const known = new Map(expected.raws.map((raw, dense) => [raw, dense]));
    for (const probe of probes) expect(map.get(probe)).toBe(known.get(probe) ?? -1);
    expect(map.size).toBe(expected.raws.length);
  }

  it('gives the dense ids of first appearance for ids below 2^32 (narrow layout)', () => {
    fc.assert(
      fc.property(fc.array(fc.oneof(narrowId, fewNarrowIds), { maxLength: 300 }), fc.array(narrowId, { maxLength: 20 }), fc.integer({ min: 1, max: 64 }), (ids, probes, expectedSize) => {
        checkAgainstMap(ids, [...probes, -1, 0.5, 2 ** 32, -0], expectedSize);
      }),
    );
  });

  it('gives the same ids when some ids are outside the narrow range (moving to the wide layout midway)', () => {
    fc.assert(
      fc.property(fc.array(fc.oneof(narrowId, fewNarrowIds, fewNarrowIds, wideId), { maxLength: 300 }), fc.array(fc.oneof(narrowId, wideId), { maxLength: 20 }), fc.integer({ min: 1, max: 64 }), (ids, probes, expectedSize) => {
        checkAgainstMap(ids, probes, expectedSize);
      }),
    );
  });

  it('keeps every id across many doublings in both layouts', () => {
    for (const offset of [0, 2 ** 40]) {
      const ids = Array.from({ length: 50_000 }, (_, i) => offset + ((i * 2654435761) % 2 ** 32));
      const map = new IdMap(1);
      const dense = ids.map((id) => map.getOrAdd(id));
      expect(dense.every((d, i) => d === i)).toBe(true);
      expect(ids.every((id, i) => map.get(id) === i)).toBe(true);
    }
  });

  it('treats -0 as 0 and never matches NaN, as the wide layout always did', () => {
    const map = new IdMap();
    expect([map.getOrAdd(-0), map.getOrAdd(0), map.get(-0)]).toEqual([0, 0, 0]);
    expect(Object.is(map.rawOf(0), -0)).toBe(true);
    expect([map.getOrAdd(NaN), map.getOrAdd(NaN), map.get(NaN), map.getOrAdd(0)]).toEqual([1, 2, -1, 0]);
  });
});
