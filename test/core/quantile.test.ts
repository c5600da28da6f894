import { describe, expect, it } from 'vitest';
import { nearestRank, quantile } from '../../src/core/quantile.js';

describe('quantile rules', () => {
  const ten = Float64Array.from([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);

  it('nearestRank is the ⌈q·n⌉-th smallest value, always one of the sample', () => {
    expect(nearestRank(ten, 0)).toBe(1);
    expect(nearestRank(ten, 0.1)).toBe(1);
    expect(nearestRank(ten, 0.11)).toBe(2);
    expect(nearestRank(ten, 0.5)).toBe(5);
    expect(nearestRank(ten, 0.99)).toBe(10);
    expect(nearestRank(ten, 1)).toBe(10);
    const thousand = Float64Array.from({ length: 1000 }, (_, i) => i + 1);
    expect(nearestRank(thousand, 0.99)).toBe(990);
    expect(nearestRank(thousand, 0.025)).toBe(25);
  });

  it('quantile interpolates between order statistics (numpy default)', () => {
    expect(quantile(ten, 0)).toBe(1);
    expect(quantile(ten, 1)).toBe(10);
    expect(quantile(ten, 0.5)).toBe(5.5);
    expect(quantile(ten, 0.99)).toBeCloseTo(9.91, 12);
  });

  it('both are NaN on an empty sample', () => {
    expect(nearestRank(new Float64Array(0), 0.5)).toBeNaN();
    expect(quantile(new Float64Array(0), 0.5)).toBeNaN();
  });
});
