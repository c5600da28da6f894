const EMPTY = -1;
/** Largest share of slots in use before the table doubles (linear probing stays short below it). */
const MAX_LOAD = 0.75;
const TWO_32 = 4294967296;

/**
 * Dense ids both ways for non-negative integer raw ids (up to 2^53): `getOrAdd(raw)` gives
 * 0, 1, 2, … in order of first appearance, `rawOf(dense)` gives the raw id back.
 * Open addressing on typed arrays, no per-entry objects, in one of two layouts:
 *
 * - narrow (while every id is an integer below 2^32, as in the logs we read): one Int32Array of
 *   (key, dense id) pairs, 8 bytes per slot, so a lookup touches one cache line;
 * - wide (from the first id outside that range on): Float64 keys beside Int32 dense ids, 12 bytes
 *   per slot; any number is kept apart by `===`, as a `Map` would except that NaN never matches.
 *
 * Plus 8 bytes per id for the way back.
 */
export class IdMap {
  /** Narrow layout: key at 2 * slot (as int32), dense id at 2 * slot + 1; empty while wide. */
  #pairs: Int32Array;
  /** Wide layout: keys and dense ids per slot; empty while narrow. */
  #keys: Float64Array = EMPTY_FLOAT64;
  #values: Int32Array = EMPTY_INT32;
  #isWide = false;
  #mask: number;
  #raw: Float64Array;
  #size = 0;

  constructor(expectedSize = 1024) {
    let capacity = 16;
    while (capacity * MAX_LOAD < expectedSize) capacity *= 2;
    this.#pairs = new Int32Array(capacity * 2).fill(EMPTY);
    this.#mask = capacity - 1;
    this.#raw = new Float64Array(Math.max(16, expectedSize));
  }

  /** Number of distinct ids. */
  get size(): number {
    return this.#size;
  }

  /** The dense id of `raw`, adding it if new. */
  getOrAdd(raw: number): number {
    if (!this.#isWide) {
      if (raw >>> 0 === raw) {
        const pairs = this.#pairs;
        const mask = this.#mask;
        const key = raw | 0;
        let slot = hash32(key) & mask;
        for (;;) {
          const value = pairs[2 * slot + 1];
          if (value === EMPTY) break;
          if (pairs[2 * slot] === key) return value;
          slot = (slot + 1) & mask;
        }
        const dense = this.#add(raw);
        pairs[2 * slot] = key;
        pairs[2 * slot + 1] = dense;
        if (this.#size > (mask + 1) * MAX_LOAD) this.#rehash();
        return dense;
      }
      this.#widen();
    }
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
    const dense = this.#add(raw);
    keys[slot] = raw;
    values[slot] = dense;
    if (this.#size > keys.length * MAX_LOAD) this.#rehash();
    return dense;
  }

  /** The dense id of `raw`, or -1 when it was never added. */
  get(raw: number): number {
    const mask = this.#mask;
    if (!this.#isWide) {
      // Every key of a narrow table passes this test, so an id that fails it was never added.
      if (raw >>> 0 !== raw) return -1;
      const pairs = this.#pairs;
      const key = raw | 0;
      let slot = hash32(key) & mask;
      for (;;) {
        const value = pairs[2 * slot + 1];
        if (value === EMPTY) return -1;
        if (pairs[2 * slot] === key) return value;
        slot = (slot + 1) & mask;
      }
    }
    const keys = this.#keys;
    const values = this.#values;
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

  /** Records `raw` as the next dense id and returns that id. */
  #add(raw: number): number {
    const dense = this.#size;
    if (dense === this.#raw.length) {
      const grown = new Float64Array(dense * 2);
      grown.set(this.#raw);
      this.#raw = grown;
    }
    this.#raw[dense] = raw;
    this.#size = dense + 1;
    return dense;
  }

  /** Doubles the table. */
  #rehash(): void {
    const capacity = (this.#mask + 1) * 2;
    if (this.#isWide) {
      this.#fillWide(capacity);
      return;
    }
    const old = this.#pairs;
    const pairs = new Int32Array(capacity * 2).fill(EMPTY);
    const mask = capacity - 1;
    for (let i = 0; i < old.length; i += 2) {
      const value = old[i + 1];
      if (value === EMPTY) continue;
      const key = old[i];
      let slot = hash32(key) & mask;
      while (pairs[2 * slot + 1] !== EMPTY) slot = (slot + 1) & mask;
      pairs[2 * slot] = key;
      pairs[2 * slot + 1] = value;
    }
    this.#pairs = pairs;
    this.#mask = mask;
  }

  /** Moves to the wide layout (same capacity), for an id that is not an integer below 2^32. */
  #widen(): void {
    this.#isWide = true;
    this.#pairs = EMPTY_INT32;
    this.#fillWide(this.#mask + 1);
  }

  /** A wide table of `capacity` slots holding every id so far (from the dense→raw array). */
  #fillWide(capacity: number): void {
    const keys = new Float64Array(capacity);
    const values = new Int32Array(capacity).fill(EMPTY);
    const mask = capacity - 1;
    const raw = this.#raw;
    for (let dense = 0; dense < this.#size; dense++) {
      const key = raw[dense];
      let slot = hash(key) & mask;
      while (values[slot] !== EMPTY) slot = (slot + 1) & mask;
      keys[slot] = key;
      values[slot] = dense;
    }
    this.#keys = keys;
    this.#values = values;
    this.#mask = mask;
  }
}

const EMPTY_INT32 = new Int32Array(0);
const EMPTY_FLOAT64 = new Float64Array(0);

/** Slot hash of any number (its low and high 32 bits mixed). */
function hash(raw: number): number {
  return mix((raw >>> 0) ^ Math.imul((raw / TWO_32) | 0, 0x9e3779b1));
}

/** `hash(raw)` of an id below 2^32 from its int32 bits (`raw | 0`), without the division for the high bits. */
function hash32(key: number): number {
  return mix(key);
}

function mix(x: number): number {
  let h = Math.imul(x, 0x85ebca6b);
  h ^= h >>> 15;
  h = Math.imul(h, 0xc2b2ae35);
  return h ^ (h >>> 16);
}
