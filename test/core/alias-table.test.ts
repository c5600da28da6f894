import { describe, expect, it } from 'vitest';
import { createRng } from '../../src/core/rng.js';
import { AliasTable } from '../../src/core/alias-table.js';

describe('AliasTable', () => {
  describe('#sample', () => {
    it('draws each index in proportion to its weight and never a zero weight', () => {
      const weights = [1, 0, 2, 5, 2];
      const table = new AliasTable(weights);
      const rng = createRng(3);
      const counts = new Array(weights.length).fill(0);
      const n = 100_000;
      for (let i = 0; i < n; i++) counts[table.sample(rng)]++;
      expect(counts[1]).toBe(0);
      for (let i = 0; i < weights.length; i++) expect(Math.abs(counts[i] / n - weights[i] / 10)).toBeLessThan(0.01);
    });

    it('always draws the only outcome of a one-weight table', () => {
      const table = new AliasTable([0.3]);
      const rng = createRng(1);
      for (let i = 0; i < 100; i++) expect(table.sample(rng)).toBe(0);
    });

    it('gives the same draws for the same seed', () => {
      const table = new AliasTable([1, 2, 3, 4]);
      const a = createRng(9);
      const b = createRng(9);
      expect(Array.from({ length: 50 }, () => table.sample(a))).toEqual(Array.from({ length: 50 }, () => table.sample(b)));
    });
  });

  describe('constructor', () => {
    it('rejects no weights, negative, non-finite and all-zero weights', () => {
      expect(() => new AliasTable([])).toThrow(RangeError);
      expect(() => new AliasTable([1, -1])).toThrow(/weight >= 0 at 1, actual -1/);
      expect(() => new AliasTable([1, Number.NaN])).toThrow(RangeError);
      expect(() => new AliasTable([1, Infinity])).toThrow(RangeError);
      expect(() => new AliasTable([0, 0])).toThrow(/positive total weight/);
    });
  });
});
