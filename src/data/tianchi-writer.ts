import { closeSync, openSync, writeSync } from 'node:fs';
import { ErrorCode, RecGymError } from '../core/errors.js';
import type { BehaviorCode } from './behavior.js';
import { SECONDS_PER_DAY, type EventSink } from './event-store.js';
import { formatDay } from './split.js';

/** The Tianchi mobile-recommendation header line. */
export const TIANCHI_HEADER = 'user_id,item_id,behavior_type,user_geohash,item_category,time';

const COMMA = 44;
const NEWLINE = 10;
const SPACE = 32;
const ZERO = 48;
const MAX_ROW_BYTES = 96;
const MAX_ID = 2 ** 53;

/**
 * Writes events as a Tianchi CSV (`user_id,item_id,behavior_type,user_geohash,item_category,time`,
 * with header, empty geohash, time `YYYY-MM-DD HH` in UTC) into a file. Rows are formatted byte by
 * byte into a buffer that is flushed with `fs.writeSync`; call {@link close} to flush the rest.
 */
export class TianchiCsvWriter implements EventSink {
  /** Path of the file being written. */
  readonly path: string;
  #fd: number;
  #buffer: Buffer;
  #position = 0;
  #bytesWritten = 0;
  #rows = 0;
  #day = NaN;
  #dayBytes: Uint8Array = new Uint8Array(10);
  readonly #dayCache = new Map<number, Uint8Array>();

  /**
   * Creates (or truncates) `path` and writes the header.
   * @param {number} [options.bufferBytes=1048576] size of the write buffer
   */
  constructor(path: string, options: { bufferBytes?: number } = {}) {
    const bufferBytes = options.bufferBytes ?? 1 << 20;
    if (!Number.isInteger(bufferBytes) || bufferBytes < 2 * MAX_ROW_BYTES) {
      throw new RangeError(`expected bufferBytes an integer >= ${2 * MAX_ROW_BYTES}, actual ${bufferBytes}`);
    }
    this.path = path;
    try {
      this.#fd = openSync(path, 'w');
    } catch (error) {
      throw new RecGymError(
        ErrorCode.WRITE_FAILED,
        `cannot write "${path}": expected a writable file path, actual ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`,
        { cause: error },
      );
    }
    this.#buffer = Buffer.allocUnsafe(bufferBytes);
    this.#position = this.#buffer.write(`${TIANCHI_HEADER}\n`, 0, 'latin1');
  }

  /** Rows written so far (without the header). */
  get rows(): number {
    return this.#rows;
  }

  /** Bytes handed to the file so far, including buffered ones. */
  get bytesWritten(): number {
    return this.#bytesWritten + this.#position;
  }

  append(user: number, item: number, category: number, behavior: BehaviorCode, time: number): void {
    if (this.#fd < 0) throw new RecGymError(ErrorCode.CLOSED, `TianchiCsvWriter for "${this.path}" is closed`);
    if (this.#position > this.#buffer.length - MAX_ROW_BYTES) this.#flush();
    const buffer = this.#buffer;
    let p = writeId(buffer, this.#position, user, 'user_id');
    buffer[p++] = COMMA;
    p = writeId(buffer, p, item, 'item_id');
    buffer[p++] = COMMA;
    buffer[p++] = ZERO + behavior;
    buffer[p++] = COMMA;
    buffer[p++] = COMMA;
    p = writeId(buffer, p, category, 'item_category');
    buffer[p++] = COMMA;
    const hours = Math.floor(time / 3600);
    const day = Math.floor(hours / 24);
    if (day !== this.#day) this.#setDay(day);
    const dayBytes = this.#dayBytes;
    for (let k = 0; k < 10; k++) buffer[p + k] = dayBytes[k];
    p += 10;
    const hour = hours - day * 24;
    buffer[p++] = SPACE;
    buffer[p++] = ZERO + ((hour / 10) | 0);
    buffer[p++] = ZERO + (hour % 10);
    buffer[p++] = NEWLINE;
    this.#position = p;
    this.#rows++;
  }

  /** Flushes the buffer and closes the file; closing twice is safe. */
  close(): void {
    if (this.#fd < 0) return;
    try {
      this.#flush();
    } finally {
      closeSync(this.#fd);
      this.#fd = -1;
    }
  }

  #setDay(day: number): void {
    let bytes = this.#dayCache.get(day);
    if (bytes === undefined) {
      if (!Number.isFinite(day)) throw new RangeError(`time: expected finite unix seconds, actual ${day * SECONDS_PER_DAY}`);
      const text = formatDay(day);
      if (text.length !== 10) throw new RangeError(`time: expected a year 0000..9999, actual ${text}`);
      bytes = Uint8Array.from(text, (c) => c.charCodeAt(0));
      this.#dayCache.set(day, bytes);
    }
    this.#dayBytes = bytes;
    this.#day = day;
  }

  #flush(): void {
    let offset = 0;
    while (offset < this.#position) {
      try {
        offset += writeSync(this.#fd, this.#buffer, offset, this.#position - offset);
      } catch (error) {
        throw new RecGymError(ErrorCode.WRITE_FAILED, `cannot write "${this.path}": ${(error as Error).message}`, {
          cause: error,
        });
      }
    }
    this.#bytesWritten += this.#position;
    this.#position = 0;
  }
}

/** Writes a non-negative integer id's decimal digits at `p`; returns the position after them. */
function writeId(buffer: Buffer, p: number, id: number, field: string): number {
  if (id >= 0 && id <= 0x7fffffff && (id | 0) === id) {
    let end = p + 1;
    for (let rest = id; rest >= 10; rest = (rest / 10) | 0) end++;
    let n = id;
    for (let q = end - 1; q >= p; q--) {
      const quotient = (n / 10) | 0;
      buffer[q] = ZERO + n - quotient * 10;
      n = quotient;
    }
    return end;
  }
  // The readers accept ids up to 2^53 inclusive (one past Number.MAX_SAFE_INTEGER), so the writer does too.
  if (!(id >= 0 && id <= MAX_ID) || !Number.isInteger(id)) {
    throw new RangeError(`${field}: expected a non-negative integer <= 2^53, actual ${id}`);
  }
  const text = String(id);
  for (let k = 0; k < text.length; k++) buffer[p + k] = text.charCodeAt(k);
  return p + text.length;
}
