import { describe, expect, it } from 'vitest';
import { Behavior } from '../../src/data/behavior.js';
import { DEFAULT_REWARDS, RewardTableSchema, parseRewardTable, rewardLookup, rewardOf } from '../../src/env/rewards.js';

describe('rewards', () => {
  describe('rewardOf', () => {
    it('gives the default table: click 0.1, favourite 0.3, cart 0.5', () => {
      expect(rewardOf(DEFAULT_REWARDS, Behavior.click, 0)).toBe(0.1);
      expect(rewardOf(DEFAULT_REWARDS, Behavior.favorite, 0)).toBe(0.3);
      expect(rewardOf(DEFAULT_REWARDS, Behavior.cart, 7)).toBe(0.5);
    });

    it('schedules the purchase reward min(1, 0.8 + 0.01 * epoch) and caps it', () => {
      expect(rewardOf(DEFAULT_REWARDS, Behavior.purchase, 0)).toBe(0.8);
      expect(rewardOf(DEFAULT_REWARDS, Behavior.purchase, 5)).toBe(0.85);
      expect(rewardOf(DEFAULT_REWARDS, Behavior.purchase, 10)).toBe(0.9);
      expect(rewardOf(DEFAULT_REWARDS, Behavior.purchase, 20)).toBe(1);
      expect(rewardOf(DEFAULT_REWARDS, Behavior.purchase, 35)).toBe(1);
    });

    it('rejects a negative epoch and an unknown behaviour', () => {
      expect(() => rewardOf(DEFAULT_REWARDS, Behavior.click, -1)).toThrow(RangeError);
      expect(() => rewardOf(DEFAULT_REWARDS, 5 as never, 0)).toThrow(/behaviour code 1..4, actual 5/);
    });
  });

  describe('rewardLookup', () => {
    it('indexes the table at one epoch by behaviour code', () => {
      expect(Array.from(rewardLookup(DEFAULT_REWARDS, 10))).toEqual([0, 0.1, 0.3, 0.5, 0.9]);
      const out = new Float64Array(5);
      expect(rewardLookup({ click: 1, favorite: 2, cart: 3, purchase: { base: 4, perEpoch: -1, max: 4 } }, 2, out)).toBe(out);
      expect(Array.from(out)).toEqual([0, 1, 2, 3, 2]);
    });
  });

  describe('RewardTableSchema', () => {
    it('fills defaults of a scheduled spec', () => {
      const table = RewardTableSchema.parse({ click: 1, favorite: 1, cart: 1, purchase: { base: 2 } });
      expect(table.purchase).toEqual({ base: 2, perEpoch: 0, max: Infinity });
      expect(rewardOf(table, Behavior.purchase, 100)).toBe(2);
    });

    it('rejects a table with a missing or unknown behaviour', () => {
      expect(() => parseRewardTable({ click: 1, favorite: 1, cart: 1 })).toThrow(/purchase/);
      expect(() => parseRewardTable({ click: 1, favorite: 1, cart: 1, purchase: 1, view: 2 })).toThrow(TypeError);
      expect(() => parseRewardTable({ click: 'a', favorite: 1, cart: 1, purchase: 1 })).toThrow(/click/);
    });
  });
});
