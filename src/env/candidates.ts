import { AliasTable } from '../core/alias-table.js';
import type { UniformSource } from './uniform-stream.js';
import type { EventStore } from '../data/event-store.js';
import type { TimeWindow } from '../data/split.js';

/** How negatives are drawn from the catalogue: uniformly, or in proportion to training-window event counts. */
export type NegativeSampling = 'uniform' | 'popularity';

/** Items negatives and slates are drawn from: items of training-window events, or every item of the store. */
export type CatalogueKind = 'train' | 'all';

/** Rejected draws of one slot before the sampler falls back to a seeded scan of the catalogue. */
const MAX_ATTEMPTS = 64;

/** The catalogue: items with at least one event in `window` (ascending ids), or all items when no window. */
export function catalogueOf(store: EventStore, window?: TimeWindow): Int32Array {
  if (!window) {
    const all = new Int32Array(store.numItems);
    for (let i = 0; i < all.length; i++) all[i] = i;
    return all;
  }
  const seen = new Uint8Array(store.numItems);
  const { items, times } = store;
  let count = 0;
  for (let p = 0; p < store.length; p++) {
    const t = times[p];
    if (t >= window.start && t < window.end && seen[items[p]] === 0) {
      seen[items[p]] = 1;
      count++;
    }
  }
  const out = new Int32Array(count);
  let k = 0;
  for (let i = 0; i < seen.length; i++) if (seen[i] === 1) out[k++] = i;
  return out;
}

/** Events per item inside `window` (length numItems). */
export function itemCounts(store: EventStore, window: TimeWindow): Float64Array {
  const counts = new Float64Array(store.numItems);
  const { items, times } = store;
  for (let p = 0; p < store.length; p++) {
    const t = times[p];
    if (t >= window.start && t < window.end) counts[items[p]]++;
  }
  return counts;
}

/**
 * Walker alias tables over `values` with `weights` (same length, >= 0, positive sum): a draw picks
 * column `i = floor(u * n)` and returns `values[i]` when `u * n - i < probability[i]`, else `aliases[i]`.
 * The tables hold values (item ids), not indices, so that a draw is two loads.
 */
export function buildAliasTables(values: Int32Array, weights: ArrayLike<number>): { probability: Float64Array; aliases: Int32Array } {
  if (weights.length !== values.length) throw new RangeError(`expected ${values.length} weights, actual ${weights.length}`);
  const table = new AliasTable(weights);
  const aliases = new Int32Array(values.length);
  for (let i = 0; i < values.length; i++) aliases[i] = values[table.aliases[i]];
  return { probability: table.probabilities, aliases };
}

/**
 * Draws candidate sets: the positive item at a random index plus distinct negatives from the
 * catalogue, never equal to the positive. Precomputes its alias tables and a per-item stamp array
 * (distinctness in O(1) per draw: measured about 1.7x faster than scanning the set for C = 20);
 * a draw allocates nothing.
 */
export class CandidateSampler {
  readonly numCandidates: number;
  readonly catalogue: Int32Array;
  readonly negatives: NegativeSampling;
  readonly #probability: Float64Array | undefined;
  readonly #aliases: Int32Array | undefined;
  readonly #stamps: Int32Array;
  #stamp = 0;

  /**
   * `weights[i]` is the popularity of `catalogue[i]` (required for 'popularity'). The catalogue
   * must hold at least `numCandidates` distinct items, so that a set without positive can be filled.
   */
  constructor(options: { catalogue: Int32Array; numCandidates: number; negatives?: NegativeSampling; weights?: ArrayLike<number> }) {
    const { catalogue, numCandidates } = options;
    const negatives = options.negatives ?? 'uniform';
    if (!Number.isInteger(numCandidates) || numCandidates < 1) {
      throw new RangeError(`expected numCandidates to be an integer >= 1, actual ${numCandidates}`);
    }
    if (catalogue.length < numCandidates) {
      throw new RangeError(`expected a catalogue of at least ${numCandidates} items (numCandidates), actual ${catalogue.length}`);
    }
    let maxItem = 0;
    for (let i = 0; i < catalogue.length; i++) {
      const item = catalogue[i];
      if (!(item >= 0)) throw new RangeError(`expected catalogue item ids >= 0, actual ${item} at ${i}`);
      if (item > maxItem) maxItem = item;
    }
    const stamps = new Int32Array(maxItem + 1);
    for (let i = 0; i < catalogue.length; i++) {
      if (stamps[catalogue[i]] === 1) throw new RangeError(`expected distinct catalogue items, actual ${catalogue[i]} twice`);
      stamps[catalogue[i]] = 1;
    }
    stamps.fill(0);
    this.#stamps = stamps;
    this.numCandidates = numCandidates;
    this.catalogue = catalogue;
    this.negatives = negatives;
    if (negatives === 'popularity') {
      if (!options.weights) throw new TypeError('expected weights for popularity negatives, actual none');
      const tables = buildAliasTables(catalogue, options.weights);
      this.#probability = tables.probability;
      this.#aliases = tables.aliases;
    } else if (negatives !== 'uniform') {
      throw new TypeError(`expected negatives 'uniform' or 'popularity', actual ${String(negatives)}`);
    }
  }

  /**
   * Writes one candidate set into `out[offset .. offset + numCandidates)`: `positive` (an item id,
   * or -1 for none) at a uniformly drawn index and distinct negatives elsewhere. Returns the
   * positive's index, or -1 when there is none.
   */
  fill(out: Int32Array, offset: number, positive: number, random: UniformSource): number {
    const size = this.numCandidates;
    const catalogue = this.catalogue;
    const n = catalogue.length;
    const probability = this.#probability;
    const aliases = this.#aliases;
    const stamps = this.#stamps;
    let stamp = ++this.#stamp;
    if (stamp === 0x7fffffff) {
      stamps.fill(0);
      stamp = this.#stamp = 1;
    }
    const positiveIndex = positive >= 0 ? Math.floor(random.next() * size) : -1;
    if (positiveIndex >= 0) out[offset + positiveIndex] = positive;
    for (let k = 0; k < size; k++) {
      if (k === positiveIndex) continue;
      let item: number;
      let attempts = 0;
      if (probability === undefined) {
        do {
          item = catalogue[(random.next() * n) | 0];
        } while ((item === positive || stamps[item] === stamp) && ++attempts < MAX_ATTEMPTS);
      } else {
        do {
          const scaled = random.next() * n;
          const column = scaled | 0;
          item = scaled - column < probability[column] ? catalogue[column] : aliases![column];
        } while ((item === positive || stamps[item] === stamp) && ++attempts < MAX_ATTEMPTS);
      }
      if (attempts === MAX_ATTEMPTS) item = this.#scan(positive, stamp, random);
      stamps[item] = stamp;
      out[offset + k] = item;
    }
    return positiveIndex;
  }

  /** The first catalogue item from a random start that is neither the positive nor already drawn. */
  #scan(positive: number, stamp: number, random: UniformSource): number {
    const catalogue = this.catalogue;
    const stamps = this.#stamps;
    const n = catalogue.length;
    const start = Math.floor(random.next() * n);
    for (let step = 0; step < n; step++) {
      const item = catalogue[(start + step) % n];
      if (item !== positive && stamps[item] !== stamp) return item;
    }
    throw new RangeError(`expected ${this.numCandidates} distinct catalogue items, actual ${n}`);
  }
}
