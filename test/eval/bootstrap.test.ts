import { describe, expect, it } from 'vitest';
import { Bootstrap, pairedDifference, quantile } from '../../src/eval/bootstrap.js';

const series = (sums: number[], weights: number[]) => ({ sums: Float64Array.from(sums), weights: Float64Array.from(weights) });

describe('Bootstrap', () => {
  describe('#intervals', () => {
    it('gives the case-weighted mean as point estimate', () => {
      const [r] = new Bootstrap(3).intervals([series([1, 0, 3], [2, 1, 3])]);
      expect(r.mean).toBeCloseTo(4 / 6, 15);
      expect(r.lo).toBeLessThanOrEqual(r.mean);
      expect(r.hi).toBeGreaterThanOrEqual(r.mean);
      expect(r.lo).toBeGreaterThanOrEqual(0);
      expect(r.hi).toBeLessThanOrEqual(1);
    });

    it('gives a paired difference of identical agents exactly 0 with CI [0, 0]', () => {
      const a = series([1, 0.5, 0.25, 3], [2, 1, 1, 4]);
      const b = series([1, 0.5, 0.25, 3], [2, 1, 1, 4]);
      const [d] = new Bootstrap(4, { seed: 3 }).intervals([pairedDifference(a, b)]);
      expect(d).toEqual({ mean: 0, lo: 0, hi: 0 });
    });

    it('replays the same resamples on every call, so separate evaluations are paired', () => {
      const a = series([1, 0, 1, 1, 0], [1, 1, 1, 1, 1]);
      const b = series([0, 0, 1, 1, 1], [1, 1, 1, 1, 1]);
      const boot = new Bootstrap(5, { seed: 'x' });
      const together = boot.intervals([a, b]);
      expect(boot.intervals([a])[0]).toEqual(together[0]);
      expect(new Bootstrap(5, { seed: 'x' }).intervals([b])[0]).toEqual(together[1]);
      const many = series(Array.from({ length: 50 }, (_, u) => (u * 7) % 3), new Array(50).fill(2));
      expect(new Bootstrap(50, { seed: 'y' }).intervals([many])[0]).not.toEqual(new Bootstrap(50, { seed: 'x' }).intervals([many])[0]);
    });

    it('has no spread with one user, and NaN without cases', () => {
      expect(new Bootstrap(1).intervals([series([2], [4])])[0]).toEqual({ mean: 0.5, lo: 0.5, hi: 0.5 });
      const [empty] = new Bootstrap(2).intervals([series([0, 0], [0, 0])]);
      expect(empty.mean).toBeNaN();
      expect(empty.lo).toBeNaN();
    });

    it('covers a known proportion: 200 users with p = 0.3', () => {
      const sums = Array.from({ length: 200 }, (_, u) => (u % 10 < 3 ? 1 : 0));
      const [r] = new Bootstrap(200, { seed: 1 }).intervals([series(sums, new Array(200).fill(1))]);
      expect(r.mean).toBeCloseTo(0.3, 15);
      // normal approximation: 1.96 * sqrt(0.3 * 0.7 / 200) = 0.0635
      expect(r.hi - r.lo).toBeGreaterThan(0.1);
      expect(r.hi - r.lo).toBeLessThan(0.155);
    });

    it('rejects series of the wrong length', () => {
      expect(() => new Bootstrap(3).intervals([series([1], [1])])).toThrow(/expected series of length 3/);
      expect(() => new Bootstrap(3, { resamples: 0 })).toThrow(RangeError);
    });
  });
});

describe('quantile', () => {
  it('interpolates linearly like numpy', () => {
    const s = Float64Array.from([1, 2, 3, 4]);
    expect(quantile(s, 0)).toBe(1);
    expect(quantile(s, 1)).toBe(4);
    expect(quantile(s, 0.5)).toBe(2.5);
    expect(quantile(s, 0.025)).toBeCloseTo(1.075, 12);
  });
});
