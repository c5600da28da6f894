import type { EventSink } from '../event-store.js';
import type { BehaviorCode } from '../behavior.js';
import { quoteText } from '../message-text.js';
import {
  COMMA,
  CR,
  LF,
  MAX_TIME_SECONDS,
  ROW_BAD_ID,
  ROW_BAD_TIME,
  ROW_OK,
  ROW_UNKNOWN_BEHAVIOR,
  failRow,
  scanUint,
  scanned,
  type RowParser,
} from './row-parser.js';

/** Columns of the Tianchi mobile-recommendation log (`tianchi_mobile_recommend_train_user.csv`). */
export const TIANCHI_COLUMNS = ['user_id', 'item_id', 'behavior_type', 'user_geohash', 'item_category', 'time'] as const;

const ID = 'a non-negative integer <= 2^53';

/** Days since 1970-01-01 of a proleptic Gregorian date (Hinnant's days_from_civil). */
export function daysFromCivil(year: number, month: number, day: number): number {
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const doy = Math.floor((153 * (month > 2 ? month - 3 : month + 9) + 2) / 5) + day - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146097 + doe - 719468;
}

/** Number of days in `month` (1..12) of `year`. */
export function daysInMonth(year: number, month: number): number {
  if (month === 2) return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0 ? 29 : 28;
  return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
}

const FIRST_YEAR = 1970;
const MONTH_COUNT = (2038 - FIRST_YEAR + 1) * 12;
/** Unix seconds at the start of each month from 1970-01 to 2038-12, and the month's length in days. */
const MONTH_START_SECONDS = new Float64Array(MONTH_COUNT);
const MONTH_DAYS = new Uint8Array(MONTH_COUNT);
for (let i = 0; i < MONTH_COUNT; i++) {
  const year = FIRST_YEAR + Math.floor(i / 12);
  const month = (i % 12) + 1;
  MONTH_START_SECONDS[i] = daysFromCivil(year, month, 1) * 86400;
  MONTH_DAYS[i] = daysInMonth(year, month);
}

const TIME_CACHE_BITS = 12;
const TIME_CACHE_SIZE = 1 << TIME_CACHE_BITS;
const TIME_CACHE_SHIFT = 32 - TIME_CACHE_BITS;
const EMPTY_BYTES = new Uint8Array(0);

/**
 * Parses Tianchi rows `user_id,item_id,behavior_type,user_geohash,item_category,time`:
 * behaviour 1..4, geohash ignored (often empty), time `YYYY-MM-DD HH` read as UTC. The day of
 * each month from 1970 to 2038 is precomputed, so a time costs ten digit reads and a table lookup.
 */
export class TianchiRowParser implements RowParser {
  readonly columns = 6;
  readonly columnNames = TIANCHI_COLUMNS;
  readonly expectations = [ID, ID, '1, 2, 3 or 4', 'any text without a comma', ID, 'a UTC time YYYY-MM-DD HH'];
  reason = ROW_OK;
  field = -1;
  /** Time cache: four words per entry (the field's bytes 0-3, 4-7, 8-11 and 12) and its unix seconds (-1: empty). */
  readonly #cacheWords = new Int32Array(TIME_CACHE_SIZE * 4);
  readonly #cacheTimes = new Int32Array(TIME_CACHE_SIZE).fill(-1);
  #viewed: Uint8Array = EMPTY_BYTES;
  #view: DataView = new DataView(EMPTY_BYTES.buffer);

  parseRow(buf: Uint8Array, start: number, sink: EventSink): number {
    let p = scanUint(buf, start);
    if (p < 0 || buf[p] !== COMMA) return failRow(this, buf, start, ROW_BAD_ID, 0);
    const user = scanned.value;
    p = scanUint(buf, p + 1);
    if (p < 0 || buf[p] !== COMMA) return failRow(this, buf, start, ROW_BAD_ID, 1);
    const item = scanned.value;
    const behavior = buf[p + 1] - 48;
    if ((behavior - 1) >>> 0 > 3 || buf[p + 2] !== COMMA) return failRow(this, buf, start, ROW_UNKNOWN_BEHAVIOR, 2);
    p += 3;
    for (;;) {
      const c = buf[p];
      if (c === COMMA) break;
      if (c === LF) return failRow(this, buf, start, ROW_BAD_ID, 4);
      p++;
    }
    p = scanUint(buf, p + 1);
    if (p < 0 || buf[p] !== COMMA) return failRow(this, buf, start, ROW_BAD_ID, 4);
    const category = scanned.value;
    p++;
    const time = this.#cachedTime(buf, p);
    if (time < 0) return failRow(this, buf, start, ROW_BAD_TIME, 5);
    p += 13;
    while (buf[p] === CR) p++;
    if (buf[p] !== LF) return failRow(this, buf, start, ROW_BAD_TIME, 5);
    sink.append(user, item, category, behavior as BehaviorCode, time);
    this.reason = ROW_OK;
    return p + 1;
  }

  explain(field: number, value: string): string | undefined {
    const m = field === 5 ? /^(\d{4})-(\d{2})-(\d{2}) (\d{2})$/.exec(value) : null;
    if (!m) return undefined;
    const [year, month, day, hour] = [Number(m[1]), Number(m[2]), Number(m[3]), Number(m[4])];
    const actual = quoteText(value);
    if (month < 1 || month > 12) return `no such month: expected 01..12, actual ${actual}`;
    const days = daysInMonth(year, month);
    if (day < 1 || day > days) return `no such day: expected 01..${days} in ${m[1]}-${m[2]}, actual ${actual}`;
    if (hour > 23) return `no such hour: expected 00..23, actual ${actual}`;
    const time = daysFromCivil(year, month, day) * 86400 + hour * 3600;
    if (time >= 0 && time <= MAX_TIME_SECONDS) return undefined;
    return `out of range: expected a time from 1970-01-01 00 to 2038-01-19 03 UTC (the store keeps 32-bit unix seconds), actual ${actual}`;
  }

  /**
   * `#time(buf, p)` through a direct-mapped cache keyed by the field's 13 bytes (read as three
   * little-endian words and a byte): a log holds few distinct hours, so most rows hit. Only valid
   * times are cached; a hit means the same bytes as a time already parsed, so the same result.
   */
  #cachedTime(buf: Uint8Array, p: number): number {
    if (p + 13 > buf.length) return this.#time(buf, p);
    if (buf !== this.#viewed) {
      this.#viewed = buf;
      this.#view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
    }
    const view = this.#view;
    const w0 = view.getInt32(p, true);
    const w1 = view.getInt32(p + 4, true);
    const w2 = view.getInt32(p + 8, true);
    const w3 = buf[p + 12];
    const slot = Math.imul(w0 ^ Math.imul(w1, 0x9e3779b1) ^ Math.imul(w2, 0x85ebca6b) ^ Math.imul(w3, 0xc2b2ae35), 0x27d4eb2f) >>> TIME_CACHE_SHIFT;
    const words = this.#cacheWords;
    const e = slot * 4;
    const cached = this.#cacheTimes[slot];
    if (cached >= 0 && words[e] === w0 && words[e + 1] === w1 && words[e + 2] === w2 && words[e + 3] === w3) return cached;
    const time = this.#time(buf, p);
    if (time >= 0) {
      words[e] = w0;
      words[e + 1] = w1;
      words[e + 2] = w2;
      words[e + 3] = w3;
      this.#cacheTimes[slot] = time;
    }
    return time;
  }

  /** Unix seconds of `YYYY-MM-DD HH` at p, or -1. */
  #time(buf: Uint8Array, p: number): number {
    const y0 = buf[p] - 48;
    const y1 = buf[p + 1] - 48;
    const y2 = buf[p + 2] - 48;
    const y3 = buf[p + 3] - 48;
    const m0 = buf[p + 5] - 48;
    const m1 = buf[p + 6] - 48;
    const d0 = buf[p + 8] - 48;
    const d1 = buf[p + 9] - 48;
    const h0 = buf[p + 11] - 48;
    const h1 = buf[p + 12] - 48;
    if (
      (y0 >>> 0) > 9 || (y1 >>> 0) > 9 || (y2 >>> 0) > 9 || (y3 >>> 0) > 9 ||
      (m0 >>> 0) > 9 || (m1 >>> 0) > 9 || (d0 >>> 0) > 9 || (d1 >>> 0) > 9 ||
      (h0 >>> 0) > 9 || (h1 >>> 0) > 9 ||
      buf[p + 4] !== 45 || buf[p + 7] !== 45 || buf[p + 10] !== 32
    ) {
      return -1;
    }
    const hour = h0 * 10 + h1;
    const year = y0 * 1000 + y1 * 100 + y2 * 10 + y3;
    const month = m0 * 10 + m1;
    const day = d0 * 10 + d1;
    const index = (year - FIRST_YEAR) * 12 + month - 1;
    if (hour > 23 || (month - 1) >>> 0 > 11 || index >>> 0 >= MONTH_COUNT || day - 1 >>> 0 >= MONTH_DAYS[index]) return -1;
    const time = MONTH_START_SECONDS[index] + (day - 1) * 86400 + hour * 3600;
    return time <= MAX_TIME_SECONDS ? time : -1;
  }
}
