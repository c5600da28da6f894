import { describe, expect, it } from 'vitest';
import { DEFAULT_REWARDS } from '../../../src/env/rewards.js';
import { ImpressionTally, policyRates } from '../../../src/server/arena/tallies.js';

describe('ImpressionTally', () => {
  it('credits a team once per acted-on item and keeps every behaviour', () => {
    const t = new ImpressionTally('human', 1, ['a', 'b'], [0, 1, 0, 1], [10, 20, 30, 40]);
    t.act(1, 1);
    t.act(1, 3);
    t.act(2, 4);
    expect(t.credit).toEqual([1, 1]);
    expect([...t.acted]).toEqual([0, 0b1010, 0b10000, 0]);
    expect(t.positionOf(30)).toBe(2);
    expect(t.positionOf(99)).toBe(-1);
  });
});

describe('policyRates', () => {
  it('gives hand-computed rates and mean rewards per shown item', () => {
    const t = new ImpressionTally('human', 1, ['a', 'b'], [0, 1, 0, 1], [10, 20, 30, 40]);
    t.act(1, 1);
    t.act(1, 3);
    t.act(2, 4);
    const [a, b] = policyRates([t], ['a', 'b'], DEFAULT_REWARDS, 10);
    // a: 2 shown, one bought (0.8 + 0.01 × 10 = 0.9); b: 2 shown, one clicked (0.1) and carted (0.5).
    expect(a).toEqual({ policy: 'a', shown: 2, clickRate: 0, favoriteRate: 0, cartRate: 0, purchaseRate: 0.5, meanReward: 0.45 });
    expect(b.clickRate).toBe(0.5);
    expect(b.cartRate).toBe(0.5);
    expect(b.meanReward).toBeCloseTo(0.3, 12);
    expect(policyRates([], ['a'], DEFAULT_REWARDS, 0)).toEqual([{ policy: 'a', shown: 0, clickRate: 0, favoriteRate: 0, cartRate: 0, purchaseRate: 0, meanReward: 0 }]);
  });
});
