import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { EventStoreBuilder } from '../../src/data/event-store.js';

type Row = [user: number, item: number, time: number];

function reference(rows: Row[]): Row[] {
  const firstSeen = new Map<number, number>();
  for (const [user] of rows) if (!firstSeen.has(user)) firstSeen.set(user, firstSeen.size);
  return rows
    .map((row, index) => ({ row, index }))
    .sort((a, b) => firstSeen.get(a.row[0])! - firstSeen.get(b.row[0])! || a.row[2] - b.row[2] || a.index - b.index)
    .map(({ row }) => row);
}

function built(rows: Row[]): Row[] {
  const builder = new EventStoreBuilder();
  for (const [user, item, time] of rows) builder.append(user, item, 0, 1, time);
  const store = builder.build();
  return Array.from({ length: store.length }, (_, i) => [
    store.userIds.rawOf(store.users[i]),
    store.itemIds.rawOf(store.items[i]),
    store.times[i],
  ]);
}

const row = fc.tuple(fc.integer({ min: 0, max: 6 }), fc.integer({ min: 0, max: 1e6 }), fc.integer({ min: 1.4e9, max: 1.4e9 + 200_000 }));

describe('EventStoreBuilder', () => {
  describe('#build', () => {
    it('orders any log by (user, time, file order), as a reference sort does', () => {
      fc.assert(fc.property(fc.array(row, { maxLength: 60 }), (rows) => {
        expect(built(rows)).toEqual(reference(rows));
      }));
    });

    it('orders logs whose users are already in time order (the fast path) the same way', () => {
      fc.assert(
        fc.property(fc.array(row, { maxLength: 60 }), (rows) => {
          const byTime = [...rows].sort((a, b) => a[2] - b[2]);
          expect(built(byTime)).toEqual(reference(byTime));
        }),
      );
    });

    it('orders long runs (radix sort) over any span of int32 times, as a reference sort does', () => {
      const time = fc.oneof(
        fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }),
        fc.integer({ min: 1.4e9, max: 1.4e9 + 300 }),
        fc.integer({ min: 1.4e9, max: 1.4e9 + 2 ** 20 }),
      );
      const longRow = fc.tuple(fc.integer({ min: 0, max: 2 }), fc.integer({ min: 0, max: 1e6 }), time);
      fc.assert(
        fc.property(fc.array(longRow, { minLength: 30, maxLength: 400 }), (rows) => {
          expect(built(rows)).toEqual(reference(rows));
        }),
        { numRuns: 60 },
      );
    });

    it('orders runs whose times are whole steps (hours, minutes, 7 s) or not, as a reference sort does', () => {
      // Each user's times are multiples of its own step, so runs keep, break and change the step the last run used.
      const steps = fc.array(fc.constantFrom(3600, 3600, 60, 7, 1), { minLength: 6, maxLength: 6 });
      const steppedRow = fc.tuple(fc.integer({ min: 0, max: 5 }), fc.integer({ min: 0, max: 1e6 }), fc.integer({ min: 0, max: 800 }));
      fc.assert(
        fc.property(steps, fc.array(steppedRow, { minLength: 10, maxLength: 400 }), (stepOf, picks) => {
          const rows: Row[] = picks.map(([user, item, k]) => [user, item, 1.4e9 + k * stepOf[user]]);
          expect(built(rows)).toEqual(reference(rows));
        }),
        { numRuns: 80 },
      );
    });

    it('orders logs already grouped by user but not by time the same way', () => {
      fc.assert(
        fc.property(fc.array(row, { maxLength: 200 }), (rows) => {
          const grouped = [...rows].sort((a, b) => a[0] - b[0]);
          expect(built(grouped)).toEqual(reference(grouped));
        }),
      );
    });
  });

  describe('ids', () => {
    /** First-appearance lists of one id column, raws as first given (-0 stays -0). */
    function firstAppearance(ids: number[]): number[] {
      const seen = new Set<number>();
      const raws: number[] = [];
      for (const id of ids) {
        if (!seen.has(id)) raws.push(id);
        seen.add(id);
      }
      return raws;
    }

    it('gives dense ids in order of first appearance whatever mix of ids below 2^32 and others (>= 2^32, -0, fractions) the rows carry', () => {
      const id = fc.oneof(
        fc.integer({ min: 0, max: 30 }),
        fc.integer({ min: 2 ** 31, max: 2 ** 31 + 3 }),
        fc.integer({ min: 2 ** 32 - 2, max: 2 ** 32 + 2 }),
        fc.constantFrom(2 ** 53, -0, 0.5, 7.25),
      );
      const mixedRow = fc.tuple(id, id, id, fc.integer({ min: 0, max: 5 }));
      fc.assert(
        fc.property(fc.array(mixedRow, { maxLength: 120 }), fc.integer({ min: -1, max: 120 }), (rows, peekAt) => {
          const builder = new EventStoreBuilder();
          rows.forEach(([user, item, category, hour], i) => {
            builder.append(user, item, category, 1, 1.4e9 + hour * 3600);
            if (i === peekAt) expect(Array.from(builder.itemIds.rawIds())).toEqual(firstAppearance(rows.slice(0, i + 1).map((r) => r[1])));
          });
          const store = builder.build();
          expect(Array.from(store.userIds.rawIds())).toEqual(firstAppearance(rows.map((r) => r[0])));
          expect(Array.from(store.itemIds.rawIds())).toEqual(firstAppearance(rows.map((r) => r[1])));
          expect(Array.from(store.categoryIds.rawIds())).toEqual(firstAppearance(rows.map((r) => r[2])));
          const stored = Array.from({ length: store.length }, (_, i) => [
            store.userIds.rawOf(store.users[i]),
            store.itemIds.rawOf(store.items[i]),
            store.categoryIds.rawOf(store.categories[i]),
          ]);
          // the store gives back an id's first raw spelling (0 for a -0 after a 0, and the other way round)
          const firstRaw = [0, 1, 2].map((column) => new Map(firstAppearance(rows.map((r) => r[column])).map((raw) => [raw, raw])));
          const firstUser = new Map(firstAppearance(rows.map((r) => r[0])).map((u, dense) => [u, dense]));
          const expected = rows
            .map((row, index) => ({ row, index }))
            .sort((a, b) => firstUser.get(a.row[0])! - firstUser.get(b.row[0])! || a.row[3] - b.row[3] || a.index - b.index)
            .map(({ row }) => [0, 1, 2].map((column) => firstRaw[column].get(row[column])));
          expect(stored).toEqual(expected);
        }),
      );
    });
  });

  describe('#userIds', () => {
    it('holds every id appended so far, before build and across id batches', () => {
      const builder = new EventStoreBuilder();
      for (let i = 0; i < 2500; i++) {
        builder.append(1000 + (i % 1300), 5, 7, 1, 1.4e9 + i);
        if (i === 9 || i === 1500) expect([builder.userIds.size, builder.length]).toEqual([Math.min(i + 1, 1300), i + 1]);
      }
      expect([builder.userIds.size, builder.itemIds.size, builder.categoryIds.size]).toEqual([1300, 1, 1]);
      expect(builder.userIds.rawOf(1299)).toBe(2299);
    });
  });
});
