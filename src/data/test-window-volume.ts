import { SECONDS_PER_DAY, type EventStore } from './event-store.js';
import type { TimeWindow } from './split.js';

/**
 * Share of a typical day's events below which a test window counts as thin: 10 %. A share of all
 * events would not do, since it falls with the length of the log (a 139-day RetailRocket log's last
 * day holds 0.7 % of its events and is a normal day); a day with a tenth of the usual events is an
 * outlier timestamp's day or a partial export.
 */
export const THIN_WINDOW_SHARE = 0.1;

/** How many events a test window holds against what a typical day would put in a window that long. */
export interface TestWindowVolume {
  /** Events in the window. */
  readonly events: number;
  /** Mean events per day with events, scaled to the window's length. */
  readonly typicalEvents: number;
  /** Days with events in the log. */
  readonly daysWithEvents: number;
  /** The last UTC day number before the window's day whose events reach {@link THIN_WINDOW_SHARE} of the mean day's; undefined when none. */
  readonly lastTypicalDay: number | undefined;
  /** True when the window holds fewer than {@link THIN_WINDOW_SHARE} of `typicalEvents`. */
  readonly isThin: boolean;
}

/** Measures `window` against the log's days in one pass over the events; O(events + days spanned). */
export function testWindowVolume(store: EventStore, window: TimeWindow): TestWindowVolume {
  const times = store.times;
  const firstDay = Math.floor(store.minTime / SECONDS_PER_DAY);
  const perDay = new Int32Array(Math.floor(store.maxTime / SECONDS_PER_DAY) - firstDay + 1);
  let events = 0;
  for (let i = 0; i < store.length; i++) {
    const t = times[i];
    perDay[Math.floor(t / SECONDS_PER_DAY) - firstDay]++;
    if (t >= window.start && t < window.end) events++;
  }
  let daysWithEvents = 0;
  for (let d = 0; d < perDay.length; d++) if (perDay[d] > 0) daysWithEvents++;
  const meanDay = store.length / Math.max(1, daysWithEvents);
  let lastTypicalDay: number | undefined;
  for (let d = Math.min(perDay.length, Math.floor(window.start / SECONDS_PER_DAY) - firstDay) - 1; d >= 0; d--) {
    if (perDay[d] >= THIN_WINDOW_SHARE * meanDay) {
      lastTypicalDay = firstDay + d;
      break;
    }
  }
  const typicalEvents = (meanDay * Math.min(SECONDS_PER_DAY, window.end - window.start)) / SECONDS_PER_DAY;
  return { events, typicalEvents, daysWithEvents, lastTypicalDay, isThin: events < THIN_WINDOW_SHARE * typicalEvents };
}
