import { SECONDS_PER_DAY } from './event-store.js';
import type { FormatName } from './detect-format.js';
import type { LoadedLog } from './read-event-log.js';
import type { RejectReport } from './rejects.js';
import { countInWindow, formatDay, formatTime, splitByDay } from './split.js';

/** Summary of a loaded log, as printed by `recgym data stats`. */
export interface LogStats {
  file: string;
  format: FormatName;
  /** Data rows read (events + rejected rows). */
  rows: number;
  events: number;
  users: number;
  items: number;
  categories: number;
  behaviors: { click: number; favorite: number; cart: number; purchase: number };
  /** Earliest and latest event time, ISO-8601 UTC. */
  firstTime: string;
  lastTime: string;
  /** Number of distinct UTC days with events. */
  days: number;
  /** Held-out day, `YYYY-MM-DD` (default: the last day with events). */
  testDay: string;
  /** Events on the days before the test day. */
  trainEvents: number;
  /** Events on the test day. */
  testEvents: number;
  /** Events after the test day (in neither split). */
  laterEvents: number;
  /** Users with at least one event on the test day. */
  testUsers: number;
  eventsPerUser: { min: number; median: number; max: number };
  rejected: RejectReport;
}

/** Counts users, items, behaviours, days and the train/test split of a loaded log; O(events + users log users). */
export function computeStats(log: LoadedLog, options: { testDay?: string } = {}): LogStats {
  const { store } = log;
  const split = splitByDay(store, options.testDay);
  const { behaviors, times, userOffsets } = store;
  const counts = new Float64Array(5);
  for (let i = 0; i < store.length; i++) counts[behaviors[i]]++;

  const firstDay = Math.floor(store.minTime / SECONDS_PER_DAY);
  const lastDay = Math.floor(store.maxTime / SECONDS_PER_DAY);
  const hasDay = new Uint8Array(lastDay - firstDay + 1);
  for (let i = 0; i < store.length; i++) hasDay[Math.floor(times[i] / SECONDS_PER_DAY) - firstDay] = 1;
  let days = 0;
  for (let d = 0; d < hasDay.length; d++) days += hasDay[d];

  const perUser = new Int32Array(store.numUsers);
  let testUsers = 0;
  for (let u = 0; u < store.numUsers; u++) {
    perUser[u] = userOffsets[u + 1] - userOffsets[u];
    for (let p = userOffsets[u]; p < userOffsets[u + 1]; p++) {
      if (times[p] >= split.test.start && times[p] < split.test.end) {
        testUsers++;
        break;
      }
    }
  }
  perUser.sort();
  const n = perUser.length;
  const median = n % 2 === 1 ? perUser[(n - 1) / 2] : (perUser[n / 2 - 1] + perUser[n / 2]) / 2;

  const trainEvents = countInWindow(store, split.train);
  const testEvents = countInWindow(store, split.test);
  let laterEvents = 0;
  for (let i = 0; i < store.length; i++) if (times[i] >= split.test.end) laterEvents++;

  return {
    file: log.file,
    format: log.format,
    rows: log.rows,
    events: store.length,
    users: store.numUsers,
    items: store.numItems,
    categories: store.numCategories,
    behaviors: { click: counts[1], favorite: counts[2], cart: counts[3], purchase: counts[4] },
    firstTime: formatTime(store.minTime),
    lastTime: formatTime(store.maxTime),
    days,
    testDay: formatDay(split.testDay),
    trainEvents,
    testEvents,
    laterEvents,
    testUsers,
    eventsPerUser: { min: perUser[0], median, max: perUser[n - 1] },
    rejected: log.rejected,
  };
}
