import { SECONDS_PER_DAY } from './event-store.js';
import type { FormatName } from './detect-format.js';
import type { LoadedLog } from './read-event-log.js';
import type { RejectReport } from './rejects.js';
import { formatDay, formatTime, isoWindow, splitByDay, type DaySplit, type IsoWindow } from './split.js';

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
  /** The test window, ISO-8601 UTC: the test day, or [--test-start, the next midnight). */
  testWindow: IsoWindow;
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

/**
 * Counts users, items, behaviours, days and the train/test split of a loaded log in one pass over the
 * events; O(events + users log users). The split is `split`, else the day split of `testDay` (default: the last day).
 */
export function computeStats(log: LoadedLog, options: { testDay?: string; split?: DaySplit } = {}): LogStats {
  const { store } = log;
  const split = options.split ?? splitByDay(store, options.testDay);
  const { behaviors, times, users, userOffsets } = store;
  const { train, test } = split;
  // One pass over the events: behaviours, days with events, the split's counts and test users
  // (a user's events are contiguous, so a test user is counted at its first test event).
  const counts = new Float64Array(5);
  const firstDay = Math.floor(store.minTime / SECONDS_PER_DAY);
  const lastDay = Math.floor(store.maxTime / SECONDS_PER_DAY);
  const hasDay = new Uint8Array(lastDay - firstDay + 1);
  let trainEvents = 0;
  let testEvents = 0;
  let laterEvents = 0;
  let testUsers = 0;
  let lastTestUser = -1;
  // Each user's times ascend, so the day changes rarely: [dayStart, dayEnd) is the last day marked.
  let dayStart = 0;
  let dayEnd = 0;
  for (let i = 0; i < store.length; i++) {
    counts[behaviors[i]]++;
    const t = times[i];
    if (t >= dayEnd || t < dayStart) {
      const day = Math.floor(t / SECONDS_PER_DAY);
      hasDay[day - firstDay] = 1;
      dayStart = day * SECONDS_PER_DAY;
      dayEnd = dayStart + SECONDS_PER_DAY;
    }
    if (t >= train.start && t < train.end) trainEvents++;
    if (t >= test.start && t < test.end) {
      testEvents++;
      if (users[i] !== lastTestUser) {
        lastTestUser = users[i];
        testUsers++;
      }
    }
    if (t >= test.end) laterEvents++;
  }
  let days = 0;
  for (let d = 0; d < hasDay.length; d++) days += hasDay[d];

  const perUser = new Int32Array(store.numUsers);
  for (let u = 0; u < store.numUsers; u++) perUser[u] = userOffsets[u + 1] - userOffsets[u];
  perUser.sort();
  const n = perUser.length;
  const median = n % 2 === 1 ? perUser[(n - 1) / 2] : (perUser[n / 2 - 1] + perUser[n / 2]) / 2;

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
    testWindow: isoWindow(test),
    trainEvents,
    testEvents,
    laterEvents,
    testUsers,
    eventsPerUser: { min: perUser[0], median, max: perUser[n - 1] },
    rejected: log.rejected,
  };
}
