import { Behavior, type BehaviorCode } from '../../src/data/behavior.js';
import { EventStoreBuilder, type EventStore } from '../../src/data/event-store.js';

/** Unix seconds of `YYYY-MM-DD` at `hour` UTC. */
export function at(day: string, hour: number): number {
  return Date.parse(`${day}T${String(hour).padStart(2, '0')}:00:00Z`) / 1000;
}

/** One logged event with raw ids. */
export interface RawEvent {
  user: number;
  item: number;
  category: number;
  behavior: BehaviorCode;
  time: number;
}

const { click, favorite, cart, purchase } = Behavior;

/**
 * The tiny hand-computed log (test day 2014-12-18):
 * - user 100: e0 12-16 10h item 1 (cat 7, click), e1 12-16 11h item 2 (cat 7, favorite),
 *   e2 12-17 09h item 3 (cat 8, cart), e3 12-17 12h item 4 (cat 8, purchase),
 *   e4 12-18 08h item 5 (cat 9, click), e5 12-18 09h item 1 (cat 7, purchase)
 * - user 200: f0 12-16 13h item 2 (click), f1 12-17 14h item 6 (cat 9, cart)
 * - user 300 (test day only): g0 12-18 10h item 7 (cat 9, click), g1 12-18 11h item 3 (cat 8, purchase)
 * - user 400: clicks on items 10..17 (cat 10), 12-16 at hours 0..7
 * Train catalogue: items 1, 2, 3, 4, 6, 10..17 (13 items); items 5 and 7 only occur on the test day.
 */
export const TINY_EVENTS: RawEvent[] = [
  { user: 100, item: 1, category: 7, behavior: click, time: at('2014-12-16', 10) },
  { user: 200, item: 2, category: 7, behavior: click, time: at('2014-12-16', 13) },
  { user: 300, item: 7, category: 9, behavior: click, time: at('2014-12-18', 10) },
  { user: 400, item: 10, category: 10, behavior: click, time: at('2014-12-16', 0) },
  { user: 100, item: 2, category: 7, behavior: favorite, time: at('2014-12-16', 11) },
  { user: 100, item: 3, category: 8, behavior: cart, time: at('2014-12-17', 9) },
  { user: 100, item: 4, category: 8, behavior: purchase, time: at('2014-12-17', 12) },
  { user: 100, item: 5, category: 9, behavior: click, time: at('2014-12-18', 8) },
  { user: 100, item: 1, category: 7, behavior: purchase, time: at('2014-12-18', 9) },
  { user: 200, item: 6, category: 9, behavior: cart, time: at('2014-12-17', 14) },
  { user: 300, item: 3, category: 8, behavior: purchase, time: at('2014-12-18', 11) },
  ...[11, 12, 13, 14, 15, 16, 17].map((item, k) => ({ user: 400, item, category: 10, behavior: click, time: at('2014-12-16', k + 1) })),
];

/** Builds a store from raw events in the given (file) order. */
export function buildStore(events: readonly RawEvent[]): EventStore {
  const builder = new EventStoreBuilder();
  for (const e of events) builder.append(e.user, e.item, e.category, e.behavior, e.time);
  return builder.build();
}

/** The tiny log as a store. */
export function tinyStore(): EventStore {
  return buildStore(TINY_EVENTS);
}

/** Dense id helpers for a store. */
export function ids(store: EventStore): { item: (raw: number) => number; user: (raw: number) => number; category: (raw: number) => number } {
  return {
    item: (raw) => store.itemIds.get(raw),
    user: (raw) => store.userIds.get(raw),
    category: (raw) => store.categoryIds.get(raw),
  };
}

/** The tiny log in Tianchi CSV format (with header). */
export function tinyTianchiCsv(): string {
  const rows = TINY_EVENTS.map((e) => {
    const iso = new Date(e.time * 1000).toISOString();
    return `${e.user},${e.item},${e.behavior},,${e.category},${iso.slice(0, 10)} ${iso.slice(11, 13)}`;
  });
  return `user_id,item_id,behavior_type,user_geohash,item_category,time\n${rows.join('\n')}\n`;
}

/** Store position of each slot's next event: the end of the history its request sees. */
export function positionsOf(store: EventStore, observations: { readonly users: Int32Array; readonly lengths: Int32Array }): Int32Array {
  return Int32Array.from(observations.users, (u, i) => store.userOffsets[u] + observations.lengths[i]);
}
