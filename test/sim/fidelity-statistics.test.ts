import { describe, expect, it } from 'vitest';
import { jsDivergence, ksDistance } from '../../src/sim/distances.js';
import { kendallTau, rocAuc } from '../../src/sim/rank-statistics.js';

describe('ksDistance', () => {
  it('is the largest gap between the empirical distribution functions (hand-computed)', () => {
    expect(ksDistance([1, 2, 3], [2, 3, 4])).toBeCloseTo(1 / 3, 12);
    expect(ksDistance([1, 2], [3, 4])).toBe(1);
    expect(ksDistance([5, 1, 3], [3, 1, 5])).toBe(0);
    // Ties step both functions at once: at 1, 2/3 against 1/3; at 2, 1 against 1.
    expect(ksDistance([1, 1, 2], [1, 2, 2])).toBeCloseTo(1 / 3, 12);
  });

  it('refuses an empty sample', () => {
    expect(() => ksDistance([], [1])).toThrow('expected two non-empty samples, actual 0 and 1 values');
  });
});

describe('jsDivergence', () => {
  it('is in bits: 0 for one distribution, 1 for disjoint ones, 0.3113 for [1, 0] against [½, ½] (hand-computed)', () => {
    expect(jsDivergence([3, 1], [6, 2])).toBeCloseTo(0, 12);
    expect(jsDivergence([1, 0], [0, 1])).toBeCloseTo(1, 12);
    // m = [¾, ¼]: ½ log2(4/3) + ½ (½ log2(2/3) + ½ log2 2) = 0.311278.
    expect(jsDivergence([1, 0], [1, 1])).toBeCloseTo(0.311278, 6);
  });

  it('refuses bins that do not match, negative weights and empty distributions', () => {
    expect(() => jsDivergence([1, 2], [1])).toThrow('expected distributions over the same bins, actual 2 and 1 bins');
    expect(() => jsDivergence([1, -1], [1, 1])).toThrow('expected non-negative weights, actual -1 in bin 1');
    expect(() => jsDivergence([0, 0], [1, 1])).toThrow('expected two distributions with positive mass, actual totals 0 and 2');
  });
});

describe('kendallTau', () => {
  it('is 1 for one order, −1 for the reverse, 1/3 with one swap of three, τ-b with ties (hand-computed)', () => {
    expect(kendallTau([1, 2, 3, 4], [10, 20, 30, 40])).toBe(1);
    expect(kendallTau([1, 2, 3, 4], [4, 3, 2, 1])).toBe(-1);
    expect(kendallTau([1, 2, 3], [1, 3, 2])).toBeCloseTo(1 / 3, 12);
    // Two concordant pairs, one tied in a: 2 / √((3 − 1)(3 − 0)).
    expect(kendallTau([1, 2, 2], [1, 2, 3])).toBeCloseTo(2 / Math.sqrt(6), 12);
    expect(kendallTau([1, 1], [1, 2])).toBeNaN();
  });
});

describe('rocAuc', () => {
  it('is the chance a positive outscores a negative, ties one half (hand-computed)', () => {
    expect(rocAuc([0.1, 0.4, 0.35, 0.8], [0, 0, 1, 1])).toBeCloseTo(0.75, 12);
    expect(rocAuc([0.5, 0.5], [1, 0])).toBe(0.5);
    expect(rocAuc([0.2, 0.9], [1, 0])).toBe(0);
    expect(rocAuc([0.2, 0.9], [1, 1])).toBeNaN();
  });
});
