import { EventStoreBuilder, type EventStore } from '../../src/data/event-store.js';
import { splitByDay, type DaySplit } from '../../src/data/split.js';
import type { BehaviorCode } from '../../src/data/behavior.js';

/** 2014-12-16 00:00 UTC; the tiny log's training days are 12-16 and 12-17, its test day 12-18. */
export const D0 = Date.UTC(2014, 11, 16) / 1000;
export const D1 = D0 + 86_400;
export const TEST = D0 + 2 * 86_400;
export const H = 3600;

/** Raw rows [user, item, category, behaviour, time] in file order. */
export const TINY_ROWS: ReadonlyArray<readonly [number, number, number, BehaviorCode, number]> = [
  // user 1: trains on 10, 11, 10; test: 10 purchase (seen, repeat), 12 (discovery), 99 twice (cold)
  [1, 10, 7, 1, D0 + 1 * H],
  [1, 11, 7, 3, D0 + 2 * H],
  [1, 10, 7, 1, D1 + 1 * H],
  [1, 10, 7, 4, TEST + 1 * H],
  [1, 12, 8, 1, TEST + 2 * H],
  [1, 99, 8, 1, TEST + 3 * H],
  [1, 99, 8, 2, TEST + 4 * H],
  // user 2: trains on 12, 13, 12; test: 13 (seen, not repeat); 14 the day after (dropped)
  [2, 12, 8, 1, D0 + 5 * H],
  [2, 13, 8, 1, D0 + 6 * H],
  [2, 12, 8, 2, D1 + 5 * H],
  [2, 13, 8, 1, TEST + 5 * H],
  [2, 14, 8, 1, TEST + 86_400 + H],
  // user 3: test-day events only (no case)
  [3, 10, 7, 1, TEST + 1 * H],
  // user 4: training only
  [4, 11, 7, 4, D1 + 10 * H],
];

/** The tiny log as a store (rows appended in file order). */
export function tinyStore(rows = TINY_ROWS): EventStore {
  const builder = new EventStoreBuilder();
  for (const [user, item, category, behavior, time] of rows) builder.append(user, item, category, behavior, time);
  return builder.build();
}

/** The tiny log's split with test day 2014-12-18. */
export function tinySplit(store: EventStore): DaySplit {
  return splitByDay(store, '2014-12-18');
}

/** The tiny log in Tianchi format (`user_id,item_id,behavior_type,user_geohash,item_category,time`). */
export function tinyTianchiCsv(rows = TINY_ROWS): string {
  const lines = ['user_id,item_id,behavior_type,user_geohash,item_category,time'];
  for (const [user, item, category, behavior, time] of rows) {
    const iso = new Date(time * 1000).toISOString();
    lines.push(`${user},${item},${behavior},,${category},${iso.slice(0, 10)} ${iso.slice(11, 13)}`);
  }
  return `${lines.join('\n')}\n`;
}

/** Dense item id of raw item `raw`. */
export function itemOf(store: EventStore, raw: number): number {
  const dense = store.itemIds.get(raw);
  if (dense < 0) throw new Error(`no item ${raw}`);
  return dense;
}

/** Dense user id of raw user `raw`. */
export function userOf(store: EventStore, raw: number): number {
  const dense = store.userIds.get(raw);
  if (dense < 0) throw new Error(`no user ${raw}`);
  return dense;
}
