import type { EventSink } from '../event-store.js';
import {
  COMMA,
  CR,
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

/** Columns of Taobao's UserBehavior.csv (Tianchi dataset 649), which has no header line. */
export const USERBEHAVIOR_COLUMNS = ['user_id', 'item_id', 'category_id', 'behavior_type', 'timestamp'] as const;

const ID = 'a non-negative integer <= 2^53';

/**
 * Parses UserBehavior rows `user,item,category,behavior,timestamp`: behaviour `pv|fav|cart|buy`
 * (click, favourite, cart, purchase), timestamp in unix seconds.
 */
export class UserBehaviorRowParser implements RowParser {
  readonly columns = 5;
  readonly columnNames = USERBEHAVIOR_COLUMNS;
  readonly expectations = [ID, ID, ID, 'pv, fav, cart or buy', `unix seconds in [0, ${MAX_TIME_SECONDS}]`];
  reason = ROW_OK;
  field = -1;

  parseRow(buf: Uint8Array, start: number, sink: EventSink): number {
    let p = scanUint(buf, start);
    if (p < 0 || buf[p] !== COMMA) return failRow(this, buf, start, ROW_BAD_ID, 0);
    const user = scanned.value;
    p = scanUint(buf, p + 1);
    if (p < 0 || buf[p] !== COMMA) return failRow(this, buf, start, ROW_BAD_ID, 1);
    const item = scanned.value;
    p = scanUint(buf, p + 1);
    if (p < 0 || buf[p] !== COMMA) return failRow(this, buf, start, ROW_BAD_ID, 2);
    const category = scanned.value;
    p++;
    let behavior: 1 | 2 | 3 | 4;
    const c = buf[p];
    if (c === 112 && buf[p + 1] === 118 && buf[p + 2] === COMMA) {
      behavior = 1; // pv
      p += 3;
    } else if (c === 98 && buf[p + 1] === 117 && buf[p + 2] === 121 && buf[p + 3] === COMMA) {
      behavior = 4; // buy
      p += 4;
    } else if (c === 99 && buf[p + 1] === 97 && buf[p + 2] === 114 && buf[p + 3] === 116 && buf[p + 4] === COMMA) {
      behavior = 3; // cart
      p += 5;
    } else if (c === 102 && buf[p + 1] === 97 && buf[p + 2] === 118 && buf[p + 3] === COMMA) {
      behavior = 2; // fav
      p += 4;
    } else {
      return failRow(this, buf, start, ROW_UNKNOWN_BEHAVIOR, 3);
    }
    p = scanUint(buf, p);
    if (p < 0 || scanned.value > MAX_TIME_SECONDS) return failRow(this, buf, start, ROW_BAD_TIME, 4);
    const time = scanned.value;
    while (buf[p] === CR) p++;
    if (buf[p] !== LF) return failRow(this, buf, start, ROW_BAD_TIME, 4);
    sink.append(user, item, category, behavior, time);
    this.reason = ROW_OK;
    return p + 1;
  }

  explain(field: number, value: string): string | undefined {
    return field === 4 ? explainUnixTime(value, 1, 'unix seconds') : undefined;
  }
}
