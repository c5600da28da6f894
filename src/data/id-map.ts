const EMPTY = -1;
const TWO_32 = 4294967296;

/**
 * Dense ids both ways for non-negative integer raw ids (up to 2^53): `getOrAdd(raw)` gives
 * 0, 1, 2, … in order of first appearance, `rawOf(dense)` gives the raw id back.
 * Open addressing on typed arrays: about 12 bytes per slot plus 8 per id, no per-entry objects.
 */
export class IdMap {
  #keys: Float64Array;
  #values: Int32Array;
  #mask: number;
  #raw: Float64Array;
  #size = 0;

  constructor(expectedSize = 1024) {
    let capacity = 16;
    while (capacity < expectedSize * 2) capacity *= 2;
    this.#keys = new Float64Array(capacity);
    this.#values = new Int32Array(capacity).fill(EMPTY);
    this.#mask = capacity - 1;
    this.#raw = new Float64Array(Math.max(16, expectedSize));
  }

  /** Number of distinct ids. */
  get size(): number {
    return this.#size;
  }

  /** The dense id of `raw`, adding it if new. */
  getOrAdd(raw: number): number {
    const keys = this.#keys;
    const values = this.#values;
    const mask = this.#mask;
    let slot = hash(raw) & mask;
    for (;;) {
      const value = values[slot];
      if (value === EMPTY) break;
      if (keys[slot] === raw) return value;
      slot = (slot + 1) & mask;
    }
    const dense = this.#size;
    keys[slot] = raw;
    values[slot] = dense;
    if (dense === this.#raw.length) {
      const grown = new Float64Array(dense * 2);
      grown.set(this.#raw);
      this.#raw = grown;
    }
    this.#raw[dense] = raw;
    this.#size = dense + 1;
    if (this.#size * 2 > keys.length) this.#rehash();
    return dense;
  }

  /** The dense id of `raw`, or -1 when it was never added. */
  get(raw: number): number {
    const keys = this.#keys;
    const values = this.#values;
    const mask = this.#mask;
    let slot = hash(raw) & mask;
    for (;;) {
      const value = values[slot];
      if (value === EMPTY) return -1;
      if (keys[slot] === raw) return value;
      slot = (slot + 1) & mask;
    }
  }

  /** The raw id of dense id `dense`. */
  rawOf(dense: number): number {
    if (!(dense >= 0 && dense < this.#size)) {
      throw new RangeError(`expected a dense id in [0, ${this.#size}), actual ${dense}`);
    }
    return this.#raw[dense];
  }

  /** Raw ids in dense order (a copy trimmed to `size`). */
  rawIds(): Float64Array {
    return this.#raw.slice(0, this.#size);
  }

  /** Drops spare capacity of the dense→raw array once no more ids will be added. */
  trim(): void {
    if (this.#raw.length !== this.#size) this.#raw = this.#raw.slice(0, this.#size);
  }

  #rehash(): void {
    const oldKeys = this.#keys;
    const oldValues = this.#values;
    const capacity = oldKeys.length * 2;
    const keys = new Float64Array(capacity);
    const values = new Int32Array(capacity).fill(EMPTY);
    const mask = capacity - 1;
    for (let i = 0; i < oldKeys.length; i++) {
      const value = oldValues[i];
      if (value === EMPTY) continue;
      let slot = hash(oldKeys[i]) & mask;
      while (values[slot] !== EMPTY) slot = (slot + 1) & mask;
      keys[slot] = oldKeys[i];
      values[slot] = value;
    }
    this.#keys = keys;
    this.#values = values;
    this.#mask = mask;
  }
}

function hash(raw: number): number {
  const lo = raw >>> 0;
  const hi = (raw / TWO_32) | 0;
  let h = Math.imul(lo ^ Math.imul(hi, 0x9e3779b1), 0x85ebca6b);
  h ^= h >>> 15;
  h = Math.imul(h, 0xc2b2ae35);
  return h ^ (h >>> 16);
}
