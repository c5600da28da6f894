import type { EventSink } from '../event-store.js';
import { quoteText } from '../message-text.js';
import type { RejectReason } from '../rejects.js';

/** Reason code of a valid row (appended). */
export const ROW_OK = 0;
/** Reason code: wrong number of columns. */
export const ROW_COLUMN_COUNT = 1;
/** Reason code: behaviour not one of the format's names or codes. */
export const ROW_UNKNOWN_BEHAVIOR = 2;
/** Reason code: unparsable or out-of-range time. */
export const ROW_BAD_TIME = 3;
/** Reason code: an id that is not an integer in [0, 2^53]. */
export const ROW_BAD_ID = 4;

/** Reason code -> reject reason (index 0 unused). */
export const ROW_REASONS: readonly RejectReason[] = ['columnCount', 'columnCount', 'unknownBehavior', 'badTime', 'badId'];

/** Line feed byte. */
export const LF = 10;
/** Carriage return byte. */
export const CR = 13;
/** Comma byte. */
export const COMMA = 44;

/** Largest unix time the store holds (its `times` column is Int32). */
export const MAX_TIME_SECONDS = 2147483647;

/**
 * Parses one log format from bytes. `parseRow(buf, start, sink)` reads the row that starts at
 * `start` and ends with a line feed somewhere before `buf.length` (carriage returns before it are allowed),
 * appends its event to `sink` when it is valid, sets `reason` (0 = valid) and `field` (the column
 * that failed), and returns the position after the line feed. No strings are made on this path.
 */
export interface RowParser {
  readonly columns: number;
  /** Column names, for messages. */
  readonly columnNames: readonly string[];
  /** What each column must hold, for messages ("expected …"). */
  readonly expectations: readonly string[];
  reason: number;
  field: number;
  parseRow(buf: Uint8Array, start: number, sink: EventSink): number;
  /** Why `value`, refused in column `field`, is wrong when its shape is right (out of range, no such date), as "…: expected X, actual Y". */
  explain?(field: number, value: string): string | undefined;
}

/** Value of the last successful {@link scanUint}; a shared slot so that no pair is allocated per field. */
export const scanned = { value: 0 };

/**
 * Reads the decimal digits at `p` into `scanned.value` and returns the position after them, or -1
 * when there is no digit or the number exceeds 2^53.
 */
export function scanUint(buf: Uint8Array, p: number): number {
  let digit = buf[p] - 48;
  if (digit >>> 0 > 9) return -1;
  let value = digit;
  let q = p + 1;
  for (;;) {
    digit = buf[q] - 48;
    if (digit >>> 0 > 9) break;
    value = value * 10 + digit;
    q++;
  }
  if (q - p > 15 && !fitsUint53(buf, p, q)) return -1;
  scanned.value = value;
  return q;
}

const MAX_UINT53_DIGITS = '9007199254740992';

/** Exact test that the digits buf[p, q) are at most 2^53 (only called for long numbers). */
function fitsUint53(buf: Uint8Array, p: number, q: number): boolean {
  while (p < q - 1 && buf[p] === 48) p++;
  const length = q - p;
  if (length !== MAX_UINT53_DIGITS.length) return length < MAX_UINT53_DIGITS.length;
  for (let i = 0; i < length; i++) {
    const d = buf[p + i] - MAX_UINT53_DIGITS.charCodeAt(i);
    if (d !== 0) return d < 0;
  }
  return true;
}

/**
 * Finishes a failed row: finds its line feed, corrects the reason to `columnCount` when the row
 * has the wrong number of commas, and returns the position after the line feed.
 */
export function failRow(parser: RowParser, buf: Uint8Array, start: number, reason: number, field: number): number {
  let commas = 0;
  let p = start;
  for (;;) {
    const c = buf[p];
    if (c === LF) break;
    if (c === COMMA) commas++;
    p++;
  }
  if (commas + 1 !== parser.columns) {
    parser.reason = ROW_COLUMN_COUNT;
    parser.field = -1;
  } else {
    parser.reason = reason;
    parser.field = field;
  }
  return p + 1;
}

/** Explains why the row `line` (its text, without the line end) was rejected, as "expected X, actual Y". */
export function describeReject(parser: RowParser, line: string): string {
  const values = line.split(',');
  if (parser.reason === ROW_COLUMN_COUNT || parser.field < 0) {
    return `expected ${parser.columns} columns, actual ${values.length}`;
  }
  const value = values[parser.field] ?? '';
  const why = parser.explain?.(parser.field, value) ?? `expected ${parser.expectations[parser.field]}, actual ${quoteText(value)}`;
  return `${parser.columnNames[parser.field]}: ${why}`;
}

/** 2000-01-01 in unix seconds: a millisecond timestamp read as seconds from a log of this century is past 2038. */
const YEAR_2000_SECONDS = 946684800;

/** The explanation of a unix time `value` (digits) above {@link MAX_TIME_SECONDS} once divided by `perSecond`; undefined when it is in range or not digits. */
export function explainUnixTime(value: string, perSecond: number, unit: string): string | undefined {
  if (!/^\d+$/.test(value) || Number(value) / perSecond <= MAX_TIME_SECONDS + 1) return undefined;
  const seconds = Number(value) / 1000;
  const hint = perSecond === 1 && seconds >= YEAR_2000_SECONDS && seconds <= MAX_TIME_SECONDS ? ' (milliseconds? this column holds seconds)' : '';
  return `out of range: expected ${unit} up to ${MAX_TIME_SECONDS}${perSecond === 1 ? '' : '999'} (2038-01-19 03:14:07 UTC, the store keeps 32-bit unix seconds), actual ${quoteText(value)}${hint}`;
}
