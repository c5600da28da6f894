import { describe, expect, it } from 'vitest';
import { createRng } from '../../src/core/rng.js';
import { rankInRange, rankInSubset } from '../../src/eval/ranking.js';

describe('rankInRange', () => {
  it('counts the scores above the positive', () => {
    const s = Float64Array.from([0.5, 0.9, 0.1, 0.7, 0.3]);
    expect(rankInRange(s, 0, 5, s[0], 0.99)).toBe(2);
    expect(rankInRange(s, 0, 5, s[1], 0.5)).toBe(0);
    expect(rankInRange(s, 0, 5, s[2], 0)).toBe(4);
    expect(rankInRange(s, 1, 3, s[3], 0)).toBe(1);
  });

  it('places the positive uniformly among its ties with the draw', () => {
    const s = Float64Array.from([3, 2, 2, 2, 0]);
    // one score above, three tied (the positive included): ranks 1, 2, 3
    expect(rankInRange(s, 0, 5, 2, 0)).toBe(1);
    expect(rankInRange(s, 0, 5, 2, 0.34)).toBe(2);
    expect(rankInRange(s, 0, 5, 2, 0.999)).toBe(3);
  });

  it('is uniform over the tied positions across seeds (chi-square)', () => {
    const s = new Float64Array(10).fill(1);
    s[9] = 5;
    const counts = new Array(9).fill(0);
    const trials = 9000;
    for (let seed = 0; seed < trials; seed++) {
      const r = rankInRange(s, 0, 10, 1, createRng(seed).next());
      counts[r - 1]++;
    }
    const expected = trials / 9;
    const chi2 = counts.reduce((acc, c) => acc + (c - expected) ** 2 / expected, 0);
    expect(counts.every((c) => c > 0)).toBe(true);
    expect(chi2).toBeLessThan(26.1); // 8 degrees of freedom, p = 0.001
  });

  it('is deterministic for a draw and ranks NaN scores below everything', () => {
    const s = Float64Array.from([NaN, 1, 1]);
    expect(rankInRange(s, 0, 3, 1, 0.7)).toBe(rankInRange(s, 0, 3, 1, 0.7));
    expect(rankInRange(s, 0, 3, 1, 0.7)).toBe(1);
    expect(() => rankInRange(s, 0, 3, NaN, 0.5)).toThrow(/actual NaN/);
  });
});

describe('rankInSubset', () => {
  it('ranks only over the subset of a score row', () => {
    const row = Float64Array.from([9, 0.1, 0.5, 9, 0.4, 0.5]);
    const subset = Int32Array.from([1, 2, 4, 5]);
    expect(rankInSubset(row, 0, subset, row[4], 0)).toBe(2);
    expect(rankInSubset(row, 0, subset, row[2], 0)).toBe(0);
    expect(rankInSubset(row, 0, subset, row[2], 0.6)).toBe(1);
  });
});
