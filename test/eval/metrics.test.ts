import { describe, expect, it } from 'vitest';
import { MISS, caseMetric, expectedUniform, hitAt, ndcgAt, reciprocalRank, top1 } from '../../src/eval/metrics.js';

describe('metrics', () => {
  it('Recall@K / HR@K is 1 below K only', () => {
    expect([0, 3, 4, 19, 20, MISS].map((r) => hitAt(r, 4))).toEqual([1, 1, 0, 0, 0, 0]);
    expect(hitAt(19, 20)).toBe(1);
  });

  it('NDCG@K is 1 / log2(rank + 2) below K', () => {
    expect(ndcgAt(0, 10)).toBe(1);
    expect(ndcgAt(1, 10)).toBeCloseTo(1 / Math.log2(3), 15);
    expect(ndcgAt(2, 10)).toBe(0.5);
    expect(ndcgAt(6, 10)).toBeCloseTo(1 / 3, 15);
    expect(ndcgAt(10, 10)).toBe(0);
    expect(ndcgAt(MISS, 10)).toBe(0);
  });

  it('MRR is 1 / (rank + 1) without cut-off, 0 for a miss', () => {
    expect([0, 1, 3, 999, MISS].map(reciprocalRank)).toEqual([1, 0.5, 0.25, 0.001, 0]);
  });

  it('top-1 and reward pay only rank 0', () => {
    expect([0, 1, MISS].map(top1)).toEqual([1, 0, 0]);
    expect(caseMetric('reward', 0, 4, 0.8)).toBe(0.8);
    expect(caseMetric('reward', 1, 4, 0.8)).toBe(0);
  });

  it('gives a random ranking its exact expectation', () => {
    expect(expectedUniform('recall', 5, 4)).toBe(0.8);
    expect(expectedUniform('top1', 5, 4)).toBe(0.2);
    expect(expectedUniform('hr', 100, 10)).toBeCloseTo(0.1, 15);
    expect(expectedUniform('ndcg', 4, 2)).toBeCloseTo((1 + 1 / Math.log2(3)) / 4, 15);
    expect(expectedUniform('mrr', 3, 20)).toBeCloseTo((1 + 1 / 2 + 1 / 3) / 3, 15);
    expect(expectedUniform('reward', 5, 4, 0.5)).toBeCloseTo(0.1, 15);
  });
});
