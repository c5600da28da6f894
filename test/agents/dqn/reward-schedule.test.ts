import { describe, expect, it } from 'vitest';
import { parseDqnConfig, trainingRewards } from '../../../src/agents/dqn/config.js';
import { rewardOf } from '../../../src/env/rewards.js';

describe('trainingRewards', () => {
  it('follows the epoch schedule min(1, 0.8 + 0.01·epoch) by default', () => {
    const table = trainingRewards(parseDqnConfig({}));
    expect([0, 10, 20, 35].map((epoch) => rewardOf(table, 4, epoch))).toEqual([0.8, 0.9, 1, 1]);
  });

  it('keeps the purchase reward at 0.8 with rewardSchedule fixed, and the other behaviours as they are', () => {
    const table = trainingRewards(parseDqnConfig({ rewardSchedule: 'fixed' }));
    expect([0, 10, 35].map((epoch) => rewardOf(table, 4, epoch))).toEqual([0.8, 0.8, 0.8]);
    expect([1, 2, 3].map((b) => rewardOf(table, b as 1 | 2 | 3, 5))).toEqual([0.1, 0.3, 0.5]);
  });

  it('rejects an unknown schedule naming the field', () => {
    expect(() => parseDqnConfig({ rewardSchedule: 'weekly' })).toThrow(/rewardSchedule/);
  });
});
