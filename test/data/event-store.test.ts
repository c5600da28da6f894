import { describe, expect, it } from 'vitest';
import { ErrorCode, RecGymError } from '../../src/core/errors.js';
import type { BehaviorCode } from '../../src/data/behavior.js';
import { EventStoreBuilder } from '../../src/data/event-store.js';

const H = 3600;
const DAY = 86_400;
const T0 = Date.UTC(2014, 11, 1) / 1000;

type Row = [user: number, item: number, category: number, behavior: BehaviorCode, time: number];

function build(rows: Row[]) {
  const builder = new EventStoreBuilder();
  for (const row of rows) builder.append(...row);
  return { builder, store: builder.build() };
}

describe('EventStoreBuilder', () => {
  describe('#build', () => {
    it('orders events by user, then time, then file order; dense ids follow first appearance', () => {
      const { store } = build([
        [900, 1, 10, 1, T0 + 5 * H], // file 0
        [800, 2, 20, 1, T0 + 2 * H], // file 1
        [900, 3, 10, 2, T0 + 1 * H], // file 2
        [900, 1, 10, 3, T0 + 5 * H], // file 3: ties with file 0, comes after it
        [800, 1, 10, 4, T0 + 1 * H], // file 4
        [900, 2, 20, 4, T0 + 5 * H], // file 5: ties again
      ]);
      // users: 900 -> 0, 800 -> 1; items: 1 -> 0, 2 -> 1, 3 -> 2
      expect(Array.from(store.users)).toEqual([0, 0, 0, 0, 1, 1]);
      expect(Array.from(store.items)).toEqual([2, 0, 0, 1, 0, 1]);
      expect(Array.from(store.behaviors)).toEqual([2, 1, 3, 4, 4, 1]);
      expect(Array.from(store.times)).toEqual([1, 5, 5, 5, 1, 2].map((h) => T0 + h * H));
      expect(Array.from(store.categories)).toEqual([0, 0, 0, 1, 0, 1]);
      expect(Array.from(store.userOffsets)).toEqual([0, 4, 6]);
      expect(Array.from(store.itemCategory)).toEqual([0, 1, 0]);
      expect([store.userIds.rawOf(1), store.itemIds.rawOf(2), store.categoryIds.rawOf(1)]).toEqual([800, 3, 20]);
      expect([store.numUsers, store.numItems, store.numCategories, store.length]).toEqual([2, 3, 2, 6]);
      expect([store.minTime, store.maxTime]).toEqual([T0 + H, T0 + 5 * H]);
    });

    it('sorts times that span more than 2^16 seconds (both radix passes) stably', () => {
      const times = [T0 + 40 * DAY, T0, T0 + 70_000, T0 + 40 * DAY, T0 + 65_536, T0 + 1];
      const { store } = build(times.map((t, i) => [1, i, 0, 1, t] as Row));
      expect(Array.from(store.times)).toEqual([...times].sort((a, b) => a - b));
      expect(Array.from(store.items)).toEqual([1, 5, 4, 2, 0, 3]);
    });

    it('keeps every event when growing past its initial capacity', () => {
      const rows: Row[] = Array.from({ length: 3000 }, (_, i) => [i % 7, i, i % 3, ((i % 4) + 1) as BehaviorCode, T0 + (3000 - i)]);
      const { store } = build(rows);
      expect(store.length).toBe(3000);
      expect(Array.from(store.userOffsets.slice(0, 3))).toEqual([0, 429, 858]);
      for (let u = 0; u < store.numUsers; u++) {
        for (let p = store.userOffsets[u] + 1; p < store.userOffsets[u + 1]; p++) expect(store.times[p]).toBeGreaterThan(store.times[p - 1]);
      }
    });

    it('can only be called once', () => {
      const { builder } = build([[1, 1, 1, 1, T0]]);
      expect(() => builder.build()).toThrowError(new RecGymError(ErrorCode.BAD_OPTION, 'EventStoreBuilder.build() was already called'));
    });

    it('builds an empty store with times 0', () => {
      const { store } = build([]);
      expect([store.length, store.numUsers, store.minTime, store.maxTime, store.userOffsets.length]).toEqual([0, 0, 0, 0, 1]);
    });
  });
});

describe('EventStore', () => {
  describe('#dayAt / #hourAt', () => {
    it('reads the UTC day number and hour of an event', () => {
      const { store } = build([[1, 1, 1, 1, T0 + 23 * H + 59], [1, 1, 1, 1, T0 + DAY]]);
      expect([store.dayAt(0), store.hourAt(0), store.dayAt(1), store.hourAt(1)]).toEqual([T0 / DAY, 23, T0 / DAY + 1, 0]);
    });
  });
});
