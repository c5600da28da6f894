import { describe, expect, it } from 'vitest';
import { createRng } from '../../../src/core/rng.js';
import { bradleyTerry, groupOutcomes, impressionsNeeded, pairwise, ratingsWithCi, wilson, winMatrix } from '../../../src/server/arena/stats.js';

describe('wilson', () => {
  it('matches the hand-computed interval of 8 wins in 10', () => {
    const [lo, hi] = wilson(8, 10);
    expect(lo).toBeCloseTo(0.4902, 4);
    expect(hi).toBeCloseTo(0.9433, 4);
    expect(wilson(0, 0)).toEqual([0, 1]);
  });
});

describe('impressionsNeeded', () => {
  it('is the decisive impressions to exclude 1/2 at the current rate, scaled by the decisive share', () => {
    // 8 of 10: the interval's lower bound is 0.4902 at n = 10 and 0.5045 at n = 11.
    expect(impressionsNeeded(8, 2, 10)).toBe(1);
    expect(impressionsNeeded(8, 2, 20)).toBe(2);
    expect(impressionsNeeded(16, 4, 20)).toBe(0);
    expect(impressionsNeeded(5, 5, 10)).toBeNull();
    expect(impressionsNeeded(0, 0, 10)).toBeNull();
  });
});

describe('pairwise', () => {
  it('credits the team with more acted-on items and counts ties', () => {
    const outcomes = [
      { policies: ['a', 'b'], credit: [1, 0] },
      { policies: ['b', 'a'], credit: [2, 1] },
      { policies: ['a', 'b'], credit: [0, 0] },
      { policies: ['a', 'b', 'c'], credit: [1, 0, 1] },
    ];
    const results = pairwise(outcomes, ['a', 'b', 'c']);
    expect(results.map(({ a, b, impressions, winsA, winsB, ties }) => ({ a, b, impressions, winsA, winsB, ties }))).toEqual([
      { a: 'a', b: 'b', impressions: 4, winsA: 2, winsB: 1, ties: 1 },
      { a: 'a', b: 'c', impressions: 1, winsA: 0, winsB: 0, ties: 1 },
      { a: 'b', b: 'c', impressions: 1, winsA: 0, winsB: 1, ties: 0 },
    ]);
    expect(results[0].winRate).toBeCloseTo(2 / 3, 12);
    expect(results[0].isDecided).toBe(false);
    expect(results[1].winRate).toBeNull();
    expect(results[1].impressionsNeeded).toBeNull();
  });
});

describe('bradleyTerry', () => {
  it('gives two policies log-strengths ln((3 + 1/2) / (1 + 1/2)) apart, centred on 0', () => {
    const [r0, r1] = bradleyTerry([
      [0, 3],
      [1, 0],
    ]);
    expect(r0 - r1).toBeCloseTo(Math.log(7 / 3), 9);
    expect(r0 + r1).toBeCloseTo(0, 12);
  });

  it('orders a transitive tournament and is equal for a balanced one', () => {
    const ordered = bradleyTerry([
      [0, 8, 9],
      [2, 0, 7],
      [1, 3, 0],
    ]);
    expect(ordered[0]).toBeGreaterThan(ordered[1]);
    expect(ordered[1]).toBeGreaterThan(ordered[2]);
    const balanced = bradleyTerry([
      [0, 4],
      [4, 0],
    ]);
    expect(balanced[0]).toBeCloseTo(0, 12);
  });

  it('gives bootstrap intervals around the rating, the same for the same seed', () => {
    const outcomes = Array.from({ length: 60 }, (_, k) => ({ policies: ['a', 'b'], credit: k % 3 === 0 ? [0, 1] : [1, 0] }));
    const first = ratingsWithCi(outcomes, ['a', 'b'], createRng(4), 100);
    expect(ratingsWithCi(outcomes, ['a', 'b'], createRng(4), 100)).toEqual(first);
    expect(first[0].ci[0]).toBeLessThan(first[0].rating);
    expect(first[0].ci[1]).toBeGreaterThan(first[0].rating);
    expect(first[0].ci[0]).toBeGreaterThan(0);
    expect(winMatrix(outcomes, ['a', 'b']).beat).toEqual([
      [0, 40],
      [20, 0],
    ]);
  });
});

describe('groupOutcomes', () => {
  it('groups impressions with the same policies and credit order', () => {
    const { groups, counts } = groupOutcomes([
      { policies: ['a', 'b'], credit: [1, 0] },
      { policies: ['a', 'b'], credit: [3, 1] },
      { policies: ['a', 'b'], credit: [0, 0] },
      { policies: ['b', 'a'], credit: [1, 0] },
      { policies: ['a', 'b'], credit: [2, 2] },
    ]);
    expect(groups.map((g) => g.credit)).toEqual([[1, 0], [0, 0], [1, 0]]);
    expect(counts).toEqual([2, 2, 1]);
  });
});
