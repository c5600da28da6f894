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
    const { store, users, positions } = batch;
    const { items, userOffsets } = store;
    const tie = this.#tie;
    const mark = this.#mark;
    const last = this.#last;
    const numKnown = tie.length;
    for (let i = 0; i < users.length; i++) {
      const start = userOffsets[users[i]];
      const end = positions[i];
      const stamp = this.#nextStamp();
      for (let p = start; p < end; p++) {
        const item = items[p];
        mark[item] = stamp;
        last[item] = p - start;
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
    const { store, users, positions } = batch;
    const { items, userOffsets } = store;
    const mark = this.#mark;
    let total = 0;
    for (let i = 0; i < users.length; i++) total += positions[i] - userOffsets[users[i]];
    const start = new Int32Array(users.length + 1);
    const changed = new Int32Array(total);
    const scores = new Float64Array(total);
    let n = 0;
    for (let i = 0; i < users.length; i++) {
      const first = userOffsets[users[i]];
      const stamp = this.#nextStamp();
      for (let p = positions[i] - 1; p >= first; p--) {
        const item = items[p];
        if (mark[item] === stamp) continue;
        mark[item] = stamp;
        changed[n] = item;
        scores[n++] = 2 + (p - first);
      }
      start[i + 1] = n;
    }
    return { base: this.#tie, start, items: changed.subarray(0, n), scores: scores.subarray(0, n) };
  }

  scoreItems(batch: StateBatch, out: Float64Array): void {
    const { store, users, positions } = batch;
    const { items, userOffsets, numItems } = store;
    const tie = this.#tie;
    for (let i = 0; i < users.length; i++) {
      const offset = i * numItems;
      out.set(tie.length >= numItems ? tie.subarray(0, numItems) : tie, offset);
      if (tie.length < numItems) out.fill(0, offset + tie.length, offset + numItems);
      const start = userOffsets[users[i]];
      const end = positions[i];
      for (let p = start; p < end; p++) out[offset + items[p]] = 2 + (p - start);
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
