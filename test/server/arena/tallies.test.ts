import { describe, expect, it } from 'vitest';
import { DEFAULT_REWARDS } from '../../../src/env/rewards.js';
import { ImpressionTally, KindAggregate } from '../../../src/server/arena/tallies.js';

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

describe('KindAggregate', () => {
  it('gives hand-computed rates, mean rewards and outcome groups', () => {
    const aggregate = new KindAggregate();
    const t = new ImpressionTally('human', 1, ['a', 'b'], [0, 1, 0, 1], [10, 20, 30, 40]);
    const u = new ImpressionTally('human', 1, ['b', 'a'], [0, 1], [50, 60]);
    aggregate.add(t);
    aggregate.add(u);
    expect(aggregate.outcomes()).toEqual({ groups: [{ policies: ['a', 'b'], credit: [0, 0] }, { policies: ['b', 'a'], credit: [0, 0] }], counts: [1, 1] });
    aggregate.act(t, 1, 1);
    aggregate.act(t, 1, 3);
    aggregate.act(t, 1, 3);
    aggregate.act(t, 2, 4);
    expect(t.credit).toEqual([1, 1]);
    const [a, b] = aggregate.rates(['a', 'b'], DEFAULT_REWARDS, 10);
    // a: 3 shown, one bought (0.8 + 0.01 × 10 = 0.9); b: 3 shown, one clicked (0.1) and carted (0.5), the repeated cart counted once.
    expect(a).toEqual({ policy: 'a', shown: 3, clickRate: 0, favoriteRate: 0, cartRate: 0, purchaseRate: 1 / 3, meanReward: 0.3 });
    expect(b.clickRate).toBe(1 / 3);
    expect(b.cartRate).toBe(1 / 3);
    expect(b.meanReward).toBeCloseTo(0.2, 12);
    aggregate.act(u, 0, 1);
    expect(aggregate.outcomes()).toEqual({
      groups: [
        { policies: ['a', 'b'], credit: [1, 1] },
        { policies: ['b', 'a'], credit: [1, 0] },
      ],
      counts: [1, 1],
    });
    expect(aggregate.impressions).toBe(2);
    expect(new KindAggregate().rates(['a'], DEFAULT_REWARDS, 0)).toEqual([{ policy: 'a', shown: 0, clickRate: 0, favoriteRate: 0, cartRate: 0, purchaseRate: 0, meanReward: 0 }]);
  });
});
