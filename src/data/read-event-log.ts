import { ErrorCode, RecGymError } from '../core/errors.js';
import { createRowParser, detectFormat, FORMAT_DESCRIPTIONS, FORMAT_NAMES, type FormatName } from './detect-format.js';
import { EventStoreBuilder, type EventStore } from './event-store.js';
import { CR, LF, ROW_REASONS, describeReject, type RowParser } from './formats/row-parser.js';
import { decodeLogBytes, openLogInput } from './log-input.js';
import { quoteText } from './message-text.js';
import { RejectCounter, formatRejects, type RejectReport } from './rejects.js';
import { carriageReturnsToLineFeeds, detectLayout, rewriteFields, rewritesFields, type TextLayout } from './text-layout.js';

/** Options of {@link readEventLog} and {@link parseEventLog}. */
export interface ReadOptions {
  /** Log format; `auto` (the default) detects it from the first lines. */
  format?: FormatName | 'auto';
  /** Throw a RecGymError (BAD_ROW, `file:line: reason`) at the first bad row instead of skipping it. */
  strict?: boolean;
  /** Called after each chunk with the bytes read so far and the file size. */
  onProgress?: (bytesRead: number, totalBytes: number) => void;
  /** Bytes read per chunk (default 1 MiB, at least 8); small values exercise rows split across chunks. */
  chunkBytes?: number;
}

/** A loaded log: its event store, what was read, and the rows that were skipped. */
export interface LoadedLog {
  store: EventStore;
  format: FormatName;
  file: string;
  /** Data rows read (valid and rejected), header and blank lines excluded. */
  rows: number;
  rejected: RejectReport;
}

/** Default chunk size of {@link readEventLog}. */
export const DEFAULT_CHUNK_BYTES = 1 << 20;
const MIN_CHUNK_BYTES = 8;
/** Bytes at the head of a log used for format detection and to estimate the number of rows. */
const SAMPLE_BYTES = 1 << 16;

/**
 * Streams a log file into an {@link EventStore}: fixed-size chunks read into one reused buffer,
 * rows parsed from the bytes (no per-row strings), so memory is the store plus one chunk. Gzip is
 * decompressed as it streams and UTF-16 decoded (see {@link openLogInput}); lone carriage returns,
 * quoted fields and semicolon- or tab-separated columns are rewritten in the buffer before parsing
 * (see {@link detectLayout}); plain comma-separated UTF-8 goes to the parser untouched.
 * Throws RecGymError FILE_NOT_FOUND, UNSUPPORTED_FILE (zip, other archives, binary data),
 * CORRUPT_FILE (damaged gzip), EMPTY_FILE (no data rows), UNKNOWN_FORMAT, BAD_ROW (strict) or
 * NO_EVENTS (every row rejected).
 */
export async function readEventLog(path: string, options: ReadOptions = {}): Promise<LoadedLog> {
  const chunkBytes = checkOptions(options);
  const input = await openLogInput(path, SAMPLE_BYTES);
  try {
    const log = new LogParser(input.sample, input.isWhole, input.textBytes, path, options);
    const source = input.source;
    let buf = Buffer.allocUnsafe(chunkBytes + 1);
    let carry = 0;
    for (;;) {
      if (carry >= buf.length - 1) {
        const grown = Buffer.allocUnsafe(buf.length * 2);
        buf.copy(grown, 0, 0, carry);
        buf = grown;
      }
      const bytesRead = await source.read(buf, carry, buf.length - 1 - carry);
      if (bytesRead === 0) break;
      const end = carry + bytesRead;
      log.prepareBytes(buf, carry, end);
      let pos = 0;
      const last = buf.lastIndexOf(LF, end - 1);
      if (last >= 0) {
        log.parseLines(buf, 0, last + 1);
        pos = last + 1;
      }
      carry = end - pos;
      if (carry > 0 && pos > 0) buf.copyWithin(0, pos, end);
      options.onProgress?.(source.fileBytesRead, input.fileBytes);
    }
    if (carry > 0) {
      buf[carry] = LF;
      log.parseLines(buf, 0, carry + 1);
    }
    return log.finish();
  } finally {
    await input.close();
  }
}

/** Parses a whole log held in memory, recognised and parsed as {@link readEventLog} does. */
export function parseEventLog(input: string | Uint8Array, options: ReadOptions & { file?: string } = {}): LoadedLog {
  checkOptions(options);
  const file = options.file ?? '<memory>';
  const raw =
    typeof input === 'string' ? Buffer.from(input, 'utf8') : Buffer.from(input.buffer, input.byteOffset, input.byteLength);
  const decoded = decodeLogBytes(raw, file, SAMPLE_BYTES).text;
  const log = new LogParser(decoded.subarray(0, SAMPLE_BYTES), decoded.length <= SAMPLE_BYTES, decoded.length, file, options);
  // The layout's rewrites work in place: never on the caller's bytes.
  const bytes = log.rewritesBytes && decoded.buffer === raw.buffer ? Buffer.from(decoded) : decoded;
  log.prepareBytes(bytes, 0, bytes.length);
  let pos = 0;
  const last = bytes.lastIndexOf(LF);
  if (last >= 0) {
    log.parseLines(bytes, 0, last + 1);
    pos = last + 1;
  }
  if (pos < bytes.length) {
    const tail = Buffer.alloc(bytes.length - pos + 1);
    bytes.copy(tail, 0, pos);
    tail[tail.length - 1] = LF;
    log.parseLines(tail, 0, tail.length);
  }
  options.onProgress?.(raw.length, raw.length);
  return log.finish();
}

/** Line bookkeeping around a {@link RowParser}: blank lines, the header, rejects, strict mode. */
class LogParser {
  readonly format: FormatName;
  readonly #parser: RowParser;
  readonly #builder: EventStoreBuilder;
  readonly #rejects = new RejectCounter();
  readonly #file: string;
  readonly #strict: boolean;
  readonly #layout: TextLayout;
  readonly #rewritesFields: boolean;
  #line = 0;
  #rows = 0;
  #headerLine = 0;
  #hasContent = false;

  constructor(sample: Buffer, isWhole: boolean, textBytes: number, file: string, options: ReadOptions) {
    this.#file = file;
    this.#strict = options.strict ?? false;
    this.#layout = detectLayout(sample);
    this.#rewritesFields = rewritesFields(this.#layout);
    const text = this.#sampleText(sample);
    const isBlankSample = text.trim() === '';
    if (isBlankSample && isWhole) {
      throw new RecGymError(ErrorCode.EMPTY_FILE, `${file}: expected data rows, actual an empty file`);
    }
    const requested = options.format ?? 'auto';
    const format = requested === 'auto' ? detectFormat(text) : requested;
    if (format === undefined) {
      const firstLine = text.split('\n').find((l) => l.trim() !== '');
      const actual =
        firstLine === undefined
          ? `only blank lines in the first ${SAMPLE_BYTES} bytes`
          : `first line ${quoteText(firstLine.replace(/\r+$/, ''), 120)}`;
      throw new RecGymError(
        ErrorCode.UNKNOWN_FORMAT,
        `${file}: unrecognised log format; expected one of [${FORMAT_NAMES.map((f) => FORMAT_DESCRIPTIONS[f]).join(' | ')}], ` +
          `actual ${actual} (pass --format to choose one)`,
      );
    }
    this.format = format;
    this.#parser = createRowParser(format);
    this.#builder = new EventStoreBuilder({ expectedEvents: estimateRows(sample, textBytes) });
  }

  /** True when {@link prepareBytes} or {@link parseLines} rewrite the bytes they are given. */
  get rewritesBytes(): boolean {
    return this.#layout.lineEnd === 'cr' || this.#rewritesFields;
  }

  /** The sample as the parser will see it (line ends and fields rewritten), as text for format detection. */
  #sampleText(sample: Buffer): string {
    if (!this.rewritesBytes) return sample.toString('utf8');
    const copy = Buffer.from(sample);
    this.prepareBytes(copy, 0, copy.length);
    const last = copy.lastIndexOf(LF);
    const limit = this.#rewritesFields && last >= 0 ? rewriteFields(copy, 0, last + 1, this.#layout.delimiter) : last + 1;
    return copy.toString('utf8', 0, last >= 0 ? limit : copy.length);
  }

  /** Readies freshly read bytes buf[start, end) before lines are looked for: old Mac line ends become line feeds. */
  prepareBytes(buf: Buffer, start: number, end: number): void {
    if (this.#layout.lineEnd === 'cr') carriageReturnsToLineFeeds(buf, start, end);
  }

  /** Parses the complete lines in buf[pos, limit); buf[limit - 1] is a line feed. Quoted or not comma-separated fields are rewritten in place first. */
  parseLines(buf: Buffer, pos: number, limit: number): void {
    if (this.#rewritesFields) limit = rewriteFields(buf, pos, limit, this.#layout.delimiter);
    const parser = this.#parser;
    const builder = this.#builder;
    let line = this.#line;
    let rows = this.#rows;
    let hasContent = this.#hasContent;
    while (pos < limit) {
      line++;
      if (((buf[pos] - 48) >>> 0) > 9 || !hasContent) {
        const end = buf.indexOf(LF, pos);
        if (isBlank(buf, pos, end)) {
          pos = end + 1;
          continue;
        }
        if (!hasContent) {
          hasContent = true;
          const c = buf[pos];
          const isHeader = (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95 || c === 34 || c === 39;
          if (isHeader) {
            this.#headerLine = line;
            pos = end + 1;
            continue;
          }
        }
      }
      const next = parser.parseRow(buf, pos, builder);
      rows++;
      if (parser.reason !== 0) this.#reject(buf, pos, next - 1, line);
      pos = next;
    }
    this.#line = line;
    this.#rows = rows;
    this.#hasContent = hasContent;
  }

  #reject(buf: Buffer, start: number, lineFeed: number, line: number): void {
    const reason = ROW_REASONS[this.#parser.reason];
    if (!this.#strict && !this.#rejects.wantsMessage(reason)) {
      this.#rejects.add(reason, line);
      return;
    }
    let end = lineFeed;
    while (end > start && buf[end - 1] === CR) end--;
    const message = `${this.#file}:${line}: ${describeReject(this.#parser, buf.toString('utf8', start, end))}`;
    if (this.#strict) throw new RecGymError(ErrorCode.BAD_ROW, message);
    this.#rejects.add(reason, line, message);
  }

  finish(): LoadedLog {
    const rejected = this.#rejects.report;
    if (this.#rows === 0) {
      const what = this.#headerLine > 0 ? 'only a header line' : 'no rows';
      throw new RecGymError(ErrorCode.EMPTY_FILE, `${this.#file}: expected data rows, actual ${what}`);
    }
    if (this.#builder.length === 0) {
      const first = Object.values(rejected.byReason).find((r) => r.firstMessage)?.firstMessage ?? '';
      throw new RecGymError(
        ErrorCode.NO_EVENTS,
        `${this.#file}: every data row was rejected when read as ${this.format} (${formatRejects(rejected)}); first: ${first}`,
      );
    }
    return { store: this.#builder.build(), format: this.format, file: this.#file, rows: this.#rows, rejected };
  }
}

function checkOptions(options: ReadOptions): number {
  const format = options.format ?? 'auto';
  if (format !== 'auto' && !FORMAT_NAMES.includes(format)) {
    throw new TypeError(`expected format to be auto, ${FORMAT_NAMES.join(', ')}, actual ${String(format)}`);
  }
  const chunkBytes = options.chunkBytes ?? DEFAULT_CHUNK_BYTES;
  if (!Number.isInteger(chunkBytes) || chunkBytes < MIN_CHUNK_BYTES) {
    throw new RangeError(`expected chunkBytes to be an integer >= ${MIN_CHUNK_BYTES}, actual ${chunkBytes}`);
  }
  return chunkBytes;
}

function isBlank(buf: Uint8Array, start: number, end: number): boolean {
  for (let p = start; p < end; p++) {
    const c = buf[p];
    if (c !== 32 && c !== 9 && c !== CR) return false;
  }
  return true;
}

/** Rows in the whole file, extrapolated from the sample's line length, with 5% headroom. */
function estimateRows(sample: Uint8Array, totalBytes: number): number {
  let lines = 0;
  for (let i = 0; i < sample.length; i++) if (sample[i] === LF) lines++;
  if (sample.length >= totalBytes) return lines + 1;
  return Math.ceil((totalBytes / (sample.length / Math.max(1, lines))) * 1.05);
}
