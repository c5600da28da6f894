import type { StateBatch } from '../../data/state-batch.js';

/** Names of the history-aware action features, in the order they are written. */
export const HISTORY_FEATURE_NAMES = [
  'touched',
  'logCount',
  'eventRecency',
  'hourRecency',
  'strongestClick',
  'strongestFavourite',
  'strongestCart',
  'strongestPurchase',
  'isPrevious',
  'logRank',
] as const;

/** Number of history features per (state, item). */
export const NUM_HISTORY_FEATURES = HISTORY_FEATURE_NAMES.length;

/**
 * The relation between a user's history and candidate items, on typed arrays: `load` scans the
 * request's history (its last `scanLimit` visible events) once, then `write` gives each item's
 * features in O(1): touched (0/1), log(1 + count), 1 / (1 + events since the last touch),
 * exp(-hours from the last touch to the request time / 24), the strongest behaviour so far (one-hot over click,
 * favourite, cart, purchase), whether it is the previous item, and log(1 + its rank among the distinct
 * items by last touch, 0 = the latest). Untouched items get all zeros.
 */
export class HistoryFeatures {
  readonly scanLimit: number;
  /** Distinct items of the loaded history, most recent first; `numTouched` of them are valid. */
  readonly touched: Int32Array;
  numTouched = 0;
  #stamp = 0;
  #mark: Int32Array;
  #count: Int32Array;
  /** Events back (0 = the latest) of each touched item's latest touch. */
  #last: Int32Array;
  #lastTime: Int32Array;
  #strongest: Uint8Array;
  #rank: Int32Array;
  #time = 0;
  #previous = -1;

  constructor(numItems: number, scanLimit: number) {
    if (!(Number.isInteger(numItems) && numItems >= 1)) throw new RangeError(`expected numItems >= 1, actual ${numItems}`);
    if (!(Number.isInteger(scanLimit) && scanLimit >= 1)) throw new RangeError(`expected scanLimit >= 1, actual ${scanLimit}`);
    this.scanLimit = scanLimit;
    this.touched = new Int32Array(Math.min(scanLimit, numItems));
    this.#mark = new Int32Array(numItems);
    this.#count = new Int32Array(numItems);
    this.#last = new Int32Array(numItems);
    this.#lastTime = new Int32Array(numItems);
    this.#strongest = new Uint8Array(numItems);
    this.#rank = new Int32Array(numItems);
  }

  /** Scans the history of request `i` of `states`. */
  load(states: StateBatch, i: number): void {
    if (this.#stamp === 0x7fffffff) {
      this.#mark.fill(0);
      this.#stamp = 0;
    }
    const stamp = ++this.#stamp;
    const mark = this.#mark;
    const count = this.#count;
    const last = this.#last;
    const lastTime = this.#lastTime;
    const strongest = this.#strongest;
    const touched = this.touched;
    const numItems = mark.length;
    const back = Math.min(states.lengths[i], this.scanLimit);
    let n = 0;
    for (let k = 0; k < back; k++) {
      const item = states.item(i, k);
      if (item >= numItems) continue;
      const b = states.behavior(i, k);
      if (mark[item] !== stamp) {
        mark[item] = stamp;
        count[item] = 1;
        last[item] = k;
        lastTime[item] = states.time(i, k);
        strongest[item] = b;
        this.#rank[item] = n;
        touched[n++] = item;
      } else {
        count[item]++;
        if (b > strongest[item]) strongest[item] = b;
      }
    }
    this.numTouched = n;
    this.#time = states.times[i];
    this.#previous = states.lengths[i] > 0 ? states.item(i, 0) : -1;
  }

  /** True when `item` occurs in the loaded history. */
  has(item: number): boolean {
    return item >= 0 && item < this.#mark.length && this.#mark[item] === this.#stamp;
  }

  /** w[offset ..] · the features of `item` without writing them (0 for an untouched item). */
  dot(item: number, w: ArrayLike<number>, offset: number): number {
    if (!this.has(item)) return 0;
    const hoursAgo = Math.max(0, (this.#time - this.#lastTime[item]) / 3600);
    const b = this.#strongest[item];
    return (
      w[offset] +
      w[offset + 1] * Math.log1p(this.#count[item]) +
      w[offset + 2] / (this.#last[item] + 1) +
      w[offset + 3] * Math.exp(-hoursAgo / 24) +
      (b >= 1 && b <= 4 ? w[offset + 3 + b] : 0) +
      (item === this.#previous ? w[offset + 8] : 0) +
      w[offset + 9] * Math.log1p(this.#rank[item])
    );
  }

  /** Writes the features of `item` to `out[offset .. offset + NUM_HISTORY_FEATURES)`. */
  write(item: number, out: Float32Array, offset: number): void {
    if (!this.has(item)) {
      out.fill(0, offset, offset + NUM_HISTORY_FEATURES);
      return;
    }
    const hoursAgo = Math.max(0, (this.#time - this.#lastTime[item]) / 3600);
    const b = this.#strongest[item];
    out[offset] = 1;
    out[offset + 1] = Math.log1p(this.#count[item]);
    out[offset + 2] = 1 / (this.#last[item] + 1);
    out[offset + 3] = Math.exp(-hoursAgo / 24);
    out[offset + 4] = b === 1 ? 1 : 0;
    out[offset + 5] = b === 2 ? 1 : 0;
    out[offset + 6] = b === 3 ? 1 : 0;
    out[offset + 7] = b === 4 ? 1 : 0;
    out[offset + 8] = item === this.#previous ? 1 : 0;
    out[offset + 9] = Math.log1p(this.#rank[item]);
  }
}
