import { COMMA, CR, LF } from './formats/row-parser.js';

const QUOTE = 34;
const SEMICOLON = 59;
const TAB = 9;
const SPACE = 32;

/**
 * How a log's text is laid out, read from its first bytes. Plain comma-separated text with line
 * feeds (a CR or several before each allowed) goes to the row parsers as it is; lone carriage
 * returns (old Mac line ends), quoted fields and semicolon- or tab-separated columns are rewritten
 * to that shape first.
 */
export interface TextLayout {
  /** `cr` when lines end with a carriage return alone (no line feed in the sample). */
  readonly lineEnd: 'lf' | 'cr';
  /** The column separator byte (comma, semicolon or tab). */
  readonly delimiter: number;
  /** True when the sample holds a double quote: fields are unquoted before parsing. */
  readonly isQuoted: boolean;
}

/** The layout of a log from its first bytes (UTF-8, no byte-order mark). */
export function detectLayout(sample: Uint8Array): TextLayout {
  const lineEnd = sample.indexOf(LF) < 0 && sample.indexOf(CR) >= 0 ? 'cr' : 'lf';
  return { lineEnd, delimiter: delimiterOf(sample), isQuoted: sample.indexOf(QUOTE) >= 0 };
}

/** True when the layout needs {@link rewriteFields} before parsing. */
export function rewritesFields(layout: TextLayout): boolean {
  return layout.isQuoted || layout.delimiter !== COMMA;
}

/** Comma, unless the first non-blank line has no comma outside quotes but semicolons or tabs. */
function delimiterOf(sample: Uint8Array): number {
  let counts = { comma: 0, semicolon: 0, tab: 0 };
  let inQuotes = false;
  for (let i = 0; i < sample.length; i++) {
    const c = sample[i];
    if (c === LF || c === CR) {
      if (counts.comma + counts.semicolon + counts.tab > 0) break;
      counts = { comma: 0, semicolon: 0, tab: 0 };
      inQuotes = false;
    } else if (c === QUOTE) inQuotes = !inQuotes;
    else if (!inQuotes && c === COMMA) counts.comma++;
    else if (!inQuotes && c === SEMICOLON) counts.semicolon++;
    else if (!inQuotes && c === TAB) counts.tab++;
  }
  if (counts.comma > 0 || counts.semicolon + counts.tab === 0) return COMMA;
  return counts.semicolon >= counts.tab ? SEMICOLON : TAB;
}

/** Turns every carriage return in buf[start, end) into a line feed, in place (old Mac line ends). */
export function carriageReturnsToLineFeeds(buf: Uint8Array, start: number, end: number): void {
  for (let p = buf.indexOf(CR, start); p >= 0 && p < end; p = buf.indexOf(CR, p + 1)) buf[p] = LF;
}

/**
 * Rewrites the complete lines in buf[start, limit) (buf[limit - 1] is a line feed) in place as plain
 * comma-separated fields and returns the new limit: a field in double quotes loses them (`""` inside
 * is one quote), the delimiter becomes a comma, and a separator inside quotes (or a comma in a
 * semicolon- or tab-separated file) becomes a space, since no column recgym reads holds one. A quote
 * never spans lines: an unclosed one ends at the line feed, so line numbers stay those of the file.
 */
export function rewriteFields(buf: Uint8Array, start: number, limit: number, delimiter: number): number {
  let w = start;
  let inQuotes = false;
  let atFieldStart = true;
  for (let r = start; r < limit; r++) {
    const c = buf[r];
    if (c === LF) {
      inQuotes = false;
      atFieldStart = true;
      buf[w++] = LF;
    } else if (inQuotes) {
      if (c !== QUOTE) buf[w++] = c === delimiter || c === COMMA ? SPACE : c;
      else if (buf[r + 1] === QUOTE) {
        buf[w++] = QUOTE;
        r++;
      } else inQuotes = false;
    } else if (c === QUOTE && atFieldStart) {
      inQuotes = true;
      atFieldStart = false;
    } else if (c === delimiter) {
      buf[w++] = COMMA;
      atFieldStart = true;
    } else {
      buf[w++] = c === COMMA ? SPACE : c;
      atFieldStart = false;
    }
  }
  return w;
}
