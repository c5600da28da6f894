import type { Rng } from '../core/rng.js';
import type { EventStore } from '../data/event-store.js';
import type { TimeWindow } from '../data/split.js';
import type { Agent, SparseScores, StateBatch } from './agent.js';

/** How training events count towards an item's popularity. */
export interface PopularityOptions {
  /** Count every event as 1 instead of click 1, favourite 2, cart 3, purchase 4 (default false). */
  readonly unweighted?: boolean;
  /** Exponential time decay: an event `halfLifeHours` before the end of the training window counts half; none by default. */
  readonly halfLifeHours?: number;
}

/** Weight of behaviour code 1..4 in weighted popularity (index 0 unused). */
export const POPULARITY_WEIGHTS: readonly number[] = [0, 1, 2, 3, 4];

/**
 * Popularity of every store item over the training window: the sum over its events of the behaviour
 * weight (click 1, favourite 2, cart 3, purchase 4; or 1 each when unweighted) times
 * `0.5 ** ((train.end - time) / (halfLifeHours * 3600))` when a half-life is given. Items without
 * training events score 0.
 */
export function computePopularity(store: EventStore, train: TimeWindow, options: PopularityOptions = {}): Float64Array {
  const halfLife = options.halfLifeHours;
  if (halfLife !== undefined && !(halfLife > 0 && Number.isFinite(halfLife))) {
    throw new RangeError(`expected halfLifeHours > 0, actual ${halfLife}`);
  }
  const weights = options.unweighted ? [0, 1, 1, 1, 1] : POPULARITY_WEIGHTS;
  const { items, behaviors, times, length } = store;
  const pop = new Float64Array(store.numItems);
  const { start, end } = train;
  const decayPerSecond = halfLife === undefined ? 0 : 1 / (halfLife * 3600);
  for (let p = 0; p < length; p++) {
    const t = times[p];
    if (t < start || t >= end) continue;
    const w = weights[behaviors[p]];
    pop[items[p]] += decayPerSecond === 0 ? w : w * 0.5 ** ((end - t) * decayPerSecond);
  }
  return pop;
}

/**
 * Dense rank of each item's popularity scaled into [0, 1): `rank / numLevels`, where `rank` counts the
 * distinct popularity values (0 included) strictly below the item's. Order and ties are exactly those
 * of `pop`; baselines add it below their own integer-spaced scores so that popularity only breaks ties.
 */
export function popularityTieBreak(pop: Float64Array): Float64Array {
  const values = Float64Array.from(pop);
  values.sort();
  const levels: number[] = [0];
  for (let i = 0; i < values.length; i++) if (values[i] > levels[levels.length - 1]) levels.push(values[i]);
  const rankOf = new Map<number, number>();
  for (let i = 0; i < levels.length; i++) rankOf.set(levels[i], i);
  const out = new Float64Array(pop.length);
  for (let i = 0; i < pop.length; i++) out[i] = (rankOf.get(pop[i]) as number) / levels.length;
  return out;
}

/** Scores each item by its training popularity, whatever the state. */
export class PopularityAgent implements Agent {
  readonly name: string = 'popularity';
  readonly options: PopularityOptions;
  #pop: Float64Array = new Float64Array(0);

  constructor(options: PopularityOptions = {}) {
    this.options = { ...options };
  }

  /** Popularity per store item (after `fit`). */
  get popularity(): Float64Array {
    return this.#pop;
  }

  fit(store: EventStore, train: TimeWindow, _rng: Rng): void {
    this.#pop = computePopularity(store, train, this.options);
  }

  scoreCandidates(batch: StateBatch, candidates: Int32Array, numCandidates: number, out: Float64Array): void {
    const pop = this.#pop;
    const n = batch.users.length * numCandidates;
    for (let j = 0; j < n; j++) {
      const item = candidates[j];
      out[j] = item >= 0 && item < pop.length ? pop[item] : 0;
    }
  }

  scoreItemsSparse(batch: StateBatch): SparseScores {
    return { base: this.#pop, start: new Int32Array(batch.users.length + 1), items: new Int32Array(0), scores: new Float64Array(0) };
  }

  scoreItems(batch: StateBatch, out: Float64Array): void {
    const numItems = batch.numItems;
    const pop = this.#pop;
    for (let i = 0; i < batch.users.length; i++) {
      const row = out.subarray(i * numItems, (i + 1) * numItems);
      row.set(pop.length >= numItems ? pop.subarray(0, numItems) : pop);
      if (pop.length < numItems) row.fill(0, pop.length);
    }
  }
}
