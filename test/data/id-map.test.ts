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
