import type { Rng } from '../core/rng.js';
import type { EventStore } from '../data/event-store.js';
import type { TimeWindow } from '../data/split.js';
import type { Agent, SparseScores, StateBatch } from './agent.js';
import { computePopularity, popularityTieBreak, type PopularityOptions } from './popularity-agent.js';

/**
 * The user's own history items first, most recent interaction first, then every other item by
 * popularity. Scores: an item last touched at history index `h` (0 = the user's first event) scores
 * `2 + h`; any other item scores its popularity's dense rank scaled into [0, 1), so it ranks below every
 * history item and popularity ties stay ties.
 */
export class RecentAgent implements Agent {
  readonly name: string = 'recent';
  readonly options: PopularityOptions;
  #tie: Float64Array = new Float64Array(0);
  #mark: Int32Array = new Int32Array(0);
  #last: Int32Array = new Int32Array(0);
  #stamp = 0;

  constructor(options: PopularityOptions = {}) {
    this.options = { ...options };
  }

  fit(store: EventStore, train: TimeWindow, _rng: Rng): void {
    this.#tie = popularityTieBreak(computePopularity(store, train, this.options));
    this.#mark = new Int32Array(store.numItems);
    this.#last = new Int32Array(store.numItems);
    this.#stamp = 0;
  }

  scoreCandidates(batch: StateBatch, candidates: Int32Array, numCandidates: number, out: Float64Array): void {
    const tie = this.#tie;
    const mark = this.#mark;
    const last = this.#last;
    const numKnown = tie.length;
    for (let i = 0; i < batch.size; i++) {
      const n = batch.lengths[i];
      const stamp = this.#nextStamp();
      for (let k = n - 1; k >= 0; k--) {
        const item = batch.item(i, k);
        mark[item] = stamp;
        last[item] = n - 1 - k;
      }
      const base = i * numCandidates;
      for (let j = 0; j < numCandidates; j++) {
        const item = candidates[base + j];
        if (item >= 0 && item < numKnown) out[base + j] = mark[item] === stamp ? 2 + last[item] : tie[item];
        else out[base + j] = 0;
      }
    }
  }

  scoreItemsSparse(batch: StateBatch): SparseScores {
    const mark = this.#mark;
    const size = batch.size;
    let total = 0;
    for (let i = 0; i < size; i++) total += batch.lengths[i];
    const start = new Int32Array(size + 1);
    const changed = new Int32Array(total);
    const scores = new Float64Array(total);
    let n = 0;
    for (let i = 0; i < size; i++) {
      const length = batch.lengths[i];
      const stamp = this.#nextStamp();
      for (let k = 0; k < length; k++) {
        const item = batch.item(i, k);
        if (mark[item] === stamp) continue;
        mark[item] = stamp;
        changed[n] = item;
        scores[n++] = 2 + (length - 1 - k);
      }
      start[i + 1] = n;
    }
    return { base: this.#tie, start, items: changed.subarray(0, n), scores: scores.subarray(0, n) };
  }

  scoreItems(batch: StateBatch, out: Float64Array): void {
    const numItems = batch.numItems;
    const tie = this.#tie;
    for (let i = 0; i < batch.size; i++) {
      const offset = i * numItems;
      out.set(tie.length >= numItems ? tie.subarray(0, numItems) : tie, offset);
      if (tie.length < numItems) out.fill(0, offset + tie.length, offset + numItems);
      const n = batch.lengths[i];
      for (let k = n - 1; k >= 0; k--) out[offset + batch.item(i, k)] = 2 + (n - 1 - k);
    }
  }

  #nextStamp(): number {
    if (this.#stamp === 0x7fffffff) {
      this.#mark.fill(0);
      this.#stamp = 0;
    }
    return ++this.#stamp;
  }
}
