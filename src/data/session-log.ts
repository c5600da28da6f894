import type { EventStore } from './event-store.js';

const SECONDS_PER_HOUR = 3600;

/**
 * Events that are not in a store but use its ids: a simulator's sessions. Row `r` holds up to
 * `capacity` events at positions `userOffsets[r] .. userOffsets[r] + rowLengths[r] - 1`, oldest
 * first, in the same columns as an {@link EventStore} (plus each event's hour), so that a
 * {@link StateBatch} reads a row the way it reads a user of the store. A full row keeps its newest
 * half when appended to. Nothing is allocated after construction.
 */
export class SessionLog {
  /** The store whose item and category ids the events use. */
  readonly store: EventStore;
  /** Number of rows (a StateBatch's users). */
  readonly numUsers: number;
  readonly capacity: number;
  readonly userOffsets: Int32Array;
  readonly rowLengths: Int32Array;
  readonly items: Int32Array;
  readonly categories: Int32Array;
  readonly behaviors: Uint8Array;
  readonly times: Int32Array;
  /** UTC hour of day (0..23) per event. */
  readonly hours: Int8Array;

  constructor(store: EventStore, numRows: number, capacity: number) {
    if (!Number.isInteger(numRows) || numRows < 1) throw new RangeError(`expected numRows to be an integer >= 1, actual ${numRows}`);
    if (!Number.isInteger(capacity) || capacity < 2) throw new RangeError(`expected capacity to be an integer >= 2, actual ${capacity}`);
    this.store = store;
    this.numUsers = numRows;
    this.capacity = capacity;
    this.userOffsets = new Int32Array(numRows + 1);
    for (let r = 0; r <= numRows; r++) this.userOffsets[r] = r * capacity;
    this.rowLengths = new Int32Array(numRows);
    const n = numRows * capacity;
    this.items = new Int32Array(n);
    this.categories = new Int32Array(n);
    this.behaviors = new Uint8Array(n);
    this.times = new Int32Array(n);
    this.hours = new Int8Array(n);
  }

  /** Empties row `row`. */
  clear(row: number): void {
    this.rowLengths[row] = 0;
  }

  /** Copies the store's events at positions `from .. to - 1` (the newest that fit) into the end of `row`. */
  copyFromStore(row: number, from: number, to: number): void {
    const { items, categories, behaviors, times } = this.store;
    const first = Math.max(from, to - (this.capacity >> 1), to - (this.capacity - this.rowLengths[row]));
    let q = this.userOffsets[row] + this.rowLengths[row];
    for (let p = first; p < to; p++, q++) {
      this.items[q] = items[p];
      this.categories[q] = categories[p];
      this.behaviors[q] = behaviors[p];
      const time = times[p];
      this.times[q] = time;
      this.hours[q] = ((Math.floor(time / SECONDS_PER_HOUR) % 24) + 24) % 24;
    }
    this.rowLengths[row] += Math.max(0, to - first);
  }

  /** Empties `to` and copies the newest `count` events of row `from` into it. */
  copyRow(from: number, to: number, count: number): void {
    const n = Math.min(count, this.rowLengths[from], this.capacity);
    const source = this.userOffsets[from] + this.rowLengths[from] - n;
    const target = this.userOffsets[to];
    this.items.copyWithin(target, source, source + n);
    this.categories.copyWithin(target, source, source + n);
    this.behaviors.copyWithin(target, source, source + n);
    this.times.copyWithin(target, source, source + n);
    this.hours.copyWithin(target, source, source + n);
    this.rowLengths[to] = n;
  }

  /** Appends one event to `row` (its category from the store's catalogue); a full row first drops its older half. */
  append(row: number, item: number, behavior: number, time: number): void {
    const start = this.userOffsets[row];
    let length = this.rowLengths[row];
    if (length === this.capacity) {
      const keep = this.capacity >> 1;
      const from = start + length - keep;
      this.items.copyWithin(start, from, from + keep);
      this.categories.copyWithin(start, from, from + keep);
      this.behaviors.copyWithin(start, from, from + keep);
      this.times.copyWithin(start, from, from + keep);
      this.hours.copyWithin(start, from, from + keep);
      length = keep;
    }
    const p = start + length;
    this.items[p] = item;
    this.categories[p] = this.store.itemCategory[item];
    this.behaviors[p] = behavior;
    this.times[p] = time;
    this.hours[p] = ((Math.floor(time / SECONDS_PER_HOUR) % 24) + 24) % 24;
    this.rowLengths[row] = length + 1;
  }

  /** Store-like position just past `row`'s last event. */
  end(row: number): number {
    return this.userOffsets[row] + this.rowLengths[row];
  }
}
