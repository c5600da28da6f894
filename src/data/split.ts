import { ErrorCode, RecGymError } from '../core/errors.js';
import { SECONDS_PER_DAY, type EventStore } from './event-store.js';

/** A half-open time range [start, end) in unix seconds. */
export interface TimeWindow {
  readonly start: number;
  readonly end: number;
}

/** Train = the days before the test day, test = the test day; events after it belong to neither. */
export interface DaySplit {
  /** UTC day number of the test day (days since 1970-01-01). */
  readonly testDay: number;
  readonly train: TimeWindow;
  readonly test: TimeWindow;
}

const DAY_PATTERN = /^(\d{4})-(\d{2})-(\d{2})$/;

/** Parses `YYYY-MM-DD` (UTC) to a day number; throws a RecGymError naming the bad value. */
export function parseDay(text: string): number {
  const match = DAY_PATTERN.exec(text);
  const ms = match ? Date.UTC(Number(match[1]), Number(match[2]) - 1, Number(match[3])) : NaN;
  if (!match || Number.isNaN(ms) || formatDay(ms / 1000 / SECONDS_PER_DAY) !== text) {
    throw new RecGymError(ErrorCode.BAD_OPTION, `test day: expected a date YYYY-MM-DD, actual "${text}"`);
  }
  return ms / 1000 / SECONDS_PER_DAY;
}

/** Formats a UTC day number as `YYYY-MM-DD`. */
export function formatDay(day: number): string {
  return new Date(day * SECONDS_PER_DAY * 1000).toISOString().slice(0, 10);
}

/** Formats unix seconds as ISO-8601 UTC without milliseconds (`2014-12-18T23:00:00Z`). */
export function formatTime(seconds: number): string {
  return new Date(seconds * 1000).toISOString().replace('.000Z', 'Z');
}

/** A {@link TimeWindow} as ISO-8601 UTC times (`formatTime`), half-open like it: what reports and JSON hold. */
export interface IsoWindow {
  readonly start: string;
  readonly end: string;
}

/** `window` with its bounds as ISO-8601 UTC times. */
export function isoWindow(window: TimeWindow): IsoWindow {
  return { start: formatTime(window.start), end: formatTime(window.end) };
}

/**
 * The one way a window of time is printed: half-open `[start, end)`, with days (`[2014-11-18, 2014-12-17)`)
 * when both bounds are UTC midnights, else times (`[2014-12-18T10:00:00Z, 2014-12-19T00:00:00Z)`);
 * a window that is exactly one UTC day is that day (`2014-12-18`). Takes seconds or an {@link IsoWindow}.
 */
export function formatWindow(window: TimeWindow | IsoWindow): string {
  const start = typeof window.start === 'number' ? window.start : Date.parse(window.start) / 1000;
  const end = typeof window.end === 'number' ? window.end : Date.parse(window.end) / 1000;
  const isDays = start % SECONDS_PER_DAY === 0 && end % SECONDS_PER_DAY === 0;
  if (!isDays) return `[${formatTime(start)}, ${formatTime(end)})`;
  if (end - start === SECONDS_PER_DAY) return formatDay(start / SECONDS_PER_DAY);
  return `[${formatDay(start / SECONDS_PER_DAY)}, ${formatDay(end / SECONDS_PER_DAY)})`;
}

/**
 * Splits a store by day. `testDay` (a `YYYY-MM-DD` string or a day number) defaults to the
 * last day that has events, the way the Tianchi task holds out 2014-12-18.
 */
export function splitByDay(store: EventStore, testDay?: string | number): DaySplit {
  if (store.length === 0) throw new RecGymError(ErrorCode.NO_EVENTS, 'cannot split an empty event log');
  const day =
    testDay === undefined
      ? Math.floor(store.maxTime / SECONDS_PER_DAY)
      : typeof testDay === 'string'
        ? parseDay(testDay)
        : testDay;
  if (!Number.isInteger(day)) throw new TypeError(`expected an integer test day, actual ${day}`);
  const testStart = day * SECONDS_PER_DAY;
  const firstDayStart = Math.floor(store.minTime / SECONDS_PER_DAY) * SECONDS_PER_DAY;
  return {
    testDay: day,
    train: { start: Math.min(firstDayStart, testStart), end: testStart },
    test: { start: testStart, end: testStart + SECONDS_PER_DAY },
  };
}

/**
 * The `--test-start` split: test = [time, the next UTC midnight), train = everything before `time`
 * (from the first event's day); events after the test window belong to neither.
 */
export function splitAtTime(store: EventStore, time: number): DaySplit {
  if (store.length === 0) throw new RecGymError(ErrorCode.NO_EVENTS, 'cannot split an empty event log');
  if (!Number.isInteger(time)) throw new TypeError(`expected integer unix seconds, actual ${time}`);
  const testDay = Math.floor(time / SECONDS_PER_DAY);
  const firstDayStart = Math.floor(store.minTime / SECONDS_PER_DAY) * SECONDS_PER_DAY;
  return {
    testDay,
    train: { start: Math.min(firstDayStart, time), end: time },
    test: { start: time, end: (testDay + 1) * SECONDS_PER_DAY },
  };
}

/** Number of events whose time lies in `window`. */
export function countInWindow(store: EventStore, window: TimeWindow): number {
  const times = store.times;
  let count = 0;
  for (let i = 0; i < store.length; i++) {
    const t = times[i];
    if (t >= window.start && t < window.end) count++;
  }
  return count;
}
