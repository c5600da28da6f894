import type { EventSink } from '../event-store.js';
import {
  COMMA,
  LF,
  MAX_TIME_SECONDS,
  ROW_BAD_ID,
  ROW_BAD_TIME,
  ROW_OK,
  ROW_UNKNOWN_BEHAVIOR,
  explainUnixTime,
  failRow,
  scanUint,
  scanned,
  type RowParser,
} from './row-parser.js';

/** Columns of RetailRocket's `events.csv`. */
export const RETAILROCKET_COLUMNS = ['timestamp', 'visitorid', 'event', 'itemid', 'transactionid'] as const;

/** Raw category id given to every RetailRocket event: `events.csv` has no category column. */
export const RETAILROCKET_CATEGORY = 0;

const ID = 'a non-negative integer <= 2^53';

/**
 * Parses RetailRocket rows `timestamp,visitorid,event,itemid,transactionid`: event
 * `view|addtocart|transaction` (click, cart, purchase), timestamp in unix milliseconds (stored as
 * whole seconds, rounded down), transaction id ignored (often empty), category {@link RETAILROCKET_CATEGORY}.
 */
export class RetailRocketRowParser implements RowParser {
  readonly columns = 5;
  readonly columnNames = RETAILROCKET_COLUMNS;
  readonly expectations = [
    `unix milliseconds in [0, ${MAX_TIME_SECONDS}999]`,
    ID,
    'view, addtocart or transaction',
    ID,
    'any text without a comma',
  ];
  reason = ROW_OK;
  field = -1;

  parseRow(buf: Uint8Array, start: number, sink: EventSink): number {
    let p = scanUint(buf, start);
    if (p < 0 || buf[p] !== COMMA) return failRow(this, buf, start, ROW_BAD_TIME, 0);
    const time = Math.floor(scanned.value / 1000);
    if (time > MAX_TIME_SECONDS) return failRow(this, buf, start, ROW_BAD_TIME, 0);
    p = scanUint(buf, p + 1);
    if (p < 0 || buf[p] !== COMMA) return failRow(this, buf, start, ROW_BAD_ID, 1);
    const user = scanned.value;
    p++;
    let behavior: 1 | 3 | 4;
    if (buf[p] === 118 && buf[p + 1] === 105 && buf[p + 2] === 101 && buf[p + 3] === 119 && buf[p + 4] === COMMA) {
      behavior = 1; // view
      p += 5;
    } else if (isWord(buf, p, ADDTOCART)) {
      behavior = 3;
      p += ADDTOCART.length + 1;
    } else if (isWord(buf, p, TRANSACTION)) {
      behavior = 4;
      p += TRANSACTION.length + 1;
    } else {
      return failRow(this, buf, start, ROW_UNKNOWN_BEHAVIOR, 2);
    }
    p = scanUint(buf, p);
    if (p < 0 || buf[p] !== COMMA) return failRow(this, buf, start, ROW_BAD_ID, 3);
    const item = scanned.value;
    p++;
    for (;;) {
      const c = buf[p];
      if (c === LF) break;
      if (c === COMMA) return failRow(this, buf, start, ROW_BAD_ID, 4);
      p++;
    }
    sink.append(user, item, RETAILROCKET_CATEGORY, behavior, time);
    this.reason = ROW_OK;
    return p + 1;
  }

  explain(field: number, value: string): string | undefined {
    return field === 0 ? explainUnixTime(value, 1000, 'unix milliseconds') : undefined;
  }
}

const ADDTOCART = bytes('addtocart');
const TRANSACTION = bytes('transaction');

function bytes(word: string): Uint8Array {
  return Uint8Array.from(word, (ch) => ch.charCodeAt(0));
}

/** True when `word` followed by a comma starts at p (stops at the first difference, so never reads past a line feed). */
function isWord(buf: Uint8Array, p: number, word: Uint8Array): boolean {
  for (let i = 0; i < word.length; i++) if (buf[p + i] !== word[i]) return false;
  return buf[p + word.length] === COMMA;
}
