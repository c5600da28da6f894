import type { Rng } from '../../core/rng.js';
import { describeValue, requireRng, type Space } from './space.js';

/** Ordered lists (Int32Array) of `size` distinct item indices, each from a fixed set of allowed items. */
export class Slate implements Space<Int32Array> {
  readonly kind = 'Slate';
  readonly size: number;
  /** The allowed item indices, ascending. */
  readonly items: Int32Array;
  readonly #allowed: Uint8Array;

  /** `items`: the allowed ids (distinct, >= 0), or a count n meaning 0 .. n - 1. */
  constructor(options: { size: number; items: Int32Array | number }) {
    const { size, items } = options;
    const list = typeof items === 'number' ? rangeOf(items) : Int32Array.from(items).sort();
    if (!Number.isInteger(size) || size < 1) throw new RangeError(`expected slate size to be an integer >= 1, actual ${size}`);
    if (list.length > 0 && list[0] < 0) throw new RangeError(`expected item indices >= 0, actual ${list[0]}`);
    const maxId = list.length > 0 ? list[list.length - 1] : -1;
    const allowed = new Uint8Array(maxId + 1);
    for (let i = 0; i < list.length; i++) {
      if (allowed[list[i]] === 1) throw new RangeError(`expected distinct item indices, actual ${list[i]} twice`);
      allowed[list[i]] = 1;
    }
    if (list.length < size) throw new RangeError(`expected at least ${size} items to fill a slate, actual ${list.length}`);
    this.size = size;
    this.items = list;
    this.#allowed = allowed;
  }

  /** True when `item` may appear in a slate. */
  isAllowed(item: number): boolean {
    return item >= 0 && item < this.#allowed.length && this.#allowed[item] === 1;
  }

  sample(rng: Rng): Int32Array {
    requireRng(rng, this);
    const out = new Int32Array(this.size);
    const { items } = this;
    const n = items.length;
    for (let k = 0; k < out.length; k++) {
      let item: number;
      let isTaken: boolean;
      do {
        item = items[rng.nextInt(n)];
        isTaken = false;
        for (let j = 0; j < k; j++) if (out[j] === item) isTaken = true;
      } while (isTaken);
      out[k] = item;
    }
    return out;
  }

  contains(value: unknown): value is Int32Array {
    return this.explain(value) === undefined;
  }

  explain(value: unknown): string | undefined {
    if (!(value instanceof Int32Array) || value.length !== this.size) {
      return `expected an Int32Array(${this.size}) of distinct item indices, actual ${describeValue(value)}`;
    }
    for (let k = 0; k < value.length; k++) {
      const item = value[k];
      if (!this.isAllowed(item)) return `expected catalogue item indices, actual ${item} at index ${k}`;
      for (let j = 0; j < k; j++) {
        if (value[j] === item) return `expected distinct item indices, actual ${item} at indices ${j} and ${k}`;
      }
    }
    return undefined;
  }

  toString(): string {
    return `Slate(${this.size} of ${this.items.length} items)`;
  }
}

function rangeOf(n: number): Int32Array {
  if (!Number.isInteger(n) || n < 0) throw new RangeError(`expected an item count >= 0, actual ${n}`);
  const out = new Int32Array(n);
  for (let i = 0; i < n; i++) out[i] = i;
  return out;
}
