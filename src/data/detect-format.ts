import { RetailRocketRowParser } from './formats/retailrocket.js';
import type { RowParser } from './formats/row-parser.js';
import { TianchiRowParser } from './formats/tianchi.js';
import { UserBehaviorRowParser } from './formats/userbehavior.js';

/** The log formats recgym reads. */
export type FormatName = 'tianchi' | 'userbehavior' | 'retailrocket';

/** Every format name, in detection-priority order. */
export const FORMAT_NAMES: readonly FormatName[] = ['tianchi', 'userbehavior', 'retailrocket'];

/** A one-line description of each format's columns, for messages and help. */
export const FORMAT_DESCRIPTIONS: Readonly<Record<FormatName, string>> = {
  tianchi: 'Tianchi: user_id,item_id,behavior_type,user_geohash,item_category,time (1..4, YYYY-MM-DD HH)',
  userbehavior: 'Taobao UserBehavior: user,item,category,behavior,timestamp (pv|fav|cart|buy, unix seconds)',
  retailrocket: 'RetailRocket: timestamp,visitorid,event,itemid,transactionid (view|addtocart|transaction, unix ms)',
};

/** True for a format name. */
export function isFormatName(value: string): value is FormatName {
  return (FORMAT_NAMES as readonly string[]).includes(value);
}

/** A fresh row parser for `format`. */
export function createRowParser(format: FormatName): RowParser {
  switch (format) {
    case 'tianchi':
      return new TianchiRowParser();
    case 'userbehavior':
      return new UserBehaviorRowParser();
    case 'retailrocket':
      return new RetailRocketRowParser();
  }
}

/**
 * True when `line` is a header rather than data: data rows of all three formats start with a digit,
 * so a first line starting with a letter or a quote is taken as a header and skipped.
 */
export function isHeaderLine(line: string): boolean {
  return /^["']?[A-Za-z_]/.test(line);
}

const TIANCHI_TIME = /^\d{4}-\d{2}-\d{2} \d{2}$/;
const DIGITS = /^\d+$/;
const LINES_TO_VOTE = 20;

/**
 * Guesses the format from the first lines of a log (a UTF-8 sample, BOM allowed): a known header
 * decides at once; otherwise each of the first data lines votes by its shape, and the format with
 * most votes wins. Returns undefined when no line looks like any format.
 */
export function detectFormat(sample: string): FormatName | undefined {
  const lines = sample.replace(/^\uFEFF/, '').split('\n').map((l) => l.replace(/\r+$/, '')).filter((l) => l.trim() !== '');
  if (lines.length === 0) return undefined;
  if (isHeaderLine(lines[0])) {
    const byHeader = formatOfHeader(lines[0]);
    if (byHeader) return byHeader;
    lines.shift();
  }
  const votes: Record<FormatName, number> = { tianchi: 0, userbehavior: 0, retailrocket: 0 };
  for (const line of lines.slice(0, LINES_TO_VOTE)) {
    const format = formatOfRow(line);
    if (format) votes[format]++;
  }
  let best: FormatName | undefined;
  for (const format of FORMAT_NAMES) if (votes[format] > 0 && (!best || votes[format] > votes[best])) best = format;
  return best;
}

/** The format whose header `line` is, if any (names compared case-insensitively, quotes ignored). */
export function formatOfHeader(line: string): FormatName | undefined {
  const names = line.split(',').map((n) => n.trim().replace(/^["']|["']$/g, '').toLowerCase());
  if (names.length === 6 && names[0] === 'user_id' && names[1] === 'item_id' && names[2] === 'behavior_type') return 'tianchi';
  if (names.length === 5 && names[0] === 'timestamp' && names[1] === 'visitorid' && names[2] === 'event') return 'retailrocket';
  if (names.length === 5 && names[0].startsWith('user') && names[3].startsWith('behavio')) return 'userbehavior';
  return undefined;
}

/** The format a data row has the shape of, if any. */
export function formatOfRow(line: string): FormatName | undefined {
  const f = line.split(',');
  if (f.length === 6 && /^[1-4]$/.test(f[2]) && TIANCHI_TIME.test(f[5])) return 'tianchi';
  if (f.length === 5 && /^(pv|fav|cart|buy)$/.test(f[3]) && DIGITS.test(f[4])) return 'userbehavior';
  if (f.length === 5 && /^(view|addtocart|transaction)$/.test(f[2]) && DIGITS.test(f[0])) return 'retailrocket';
  return undefined;
}
