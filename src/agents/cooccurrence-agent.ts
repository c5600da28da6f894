import type { Rng } from '../core/rng.js';
import type { EventStore } from '../data/event-store.js';
import type { TimeWindow } from '../data/split.js';
import type { Agent, SparseScores, StateBatch } from './agent.js';
import { computePopularity, popularityTieBreak, type PopularityOptions } from './popularity-agent.js';

/** Weights of the state's last three events, most recent first. */
export const COOCCURRENCE_WEIGHTS: readonly number[] = [1, 0.5, 0.25];

/** Item -> next-item transition counts as compressed rows: row `a` is `next[rowStart[a] .. rowStart[a + 1] - 1]`. */
export interface TransitionCounts {
  readonly rowStart: Int32Array;
  readonly next: Int32Array;
  readonly counts: Float64Array;
}

/**
 * Counts `a -> b` over every pair of consecutive training events of each user (both inside `train`),
 * self-transitions included. Rows list `b` in ascending order.
 */
export function countTransitions(store: EventStore, train: TimeWindow): TransitionCounts {
  const { items, times, userOffsets, numItems, numUsers } = store;
  const { start, end } = train;
  const rowCount = new Int32Array(numItems + 1);
  let pairs = 0;
  const eachPair = (visit: (a: number, b: number) => void): void => {
    for (let u = 0; u < numUsers; u++) {
      let prev = -1;
      for (let p = userOffsets[u]; p < userOffsets[u + 1]; p++) {
        const t = times[p];
        if (t < start || t >= end) {
          prev = -1;
          continue;
        }
        if (prev >= 0) visit(items[prev], items[p]);
        prev = p;
      }
    }
  };
  eachPair((a) => {
    rowCount[a + 1]++;
    pairs++;
  });
  for (let a = 0; a < numItems; a++) rowCount[a + 1] += rowCount[a];
  const fill = rowCount.slice(0, numItems);
  const raw = new Int32Array(pairs);
  eachPair((a, b) => {
    raw[fill[a]++] = b;
  });
  const rowStart = new Int32Array(numItems + 1);
  const next: number[] = [];
  const counts: number[] = [];
  for (let a = 0; a < numItems; a++) {
    const row = raw.subarray(rowCount[a], rowCount[a + 1]).sort();
    for (let j = 0; j < row.length; j++) {
      if (j > 0 && row[j] === row[j - 1]) counts[counts.length - 1]++;
      else {
        next.push(row[j]);
        counts.push(1);
      }
    }
    rowStart[a + 1] = next.length;
  }
  return { rowStart, next: Int32Array.from(next), counts: Float64Array.from(counts) };
}

/**
 * Co-occurrence: a state's score for item `b` is `sum_j w_j * count(item_j -> b)` over the items of
 * its last three events (most recent first, weights 1, 0.5, 0.25; an item occurring twice adds its
 * weights). Popularity only breaks ties: the score adds `0.125 * popularityTieBreak(b)` (in [0, 0.125)),
 * less than the 0.25 spacing of co-occurrence scores, so the order is exactly (co-occurrence, popularity).
 */
export class CooccurrenceAgent implements Agent {
  readonly name: string = 'cooccurrence';
  readonly options: PopularityOptions;
  #transitions: TransitionCounts = { rowStart: new Int32Array(1), next: new Int32Array(0), counts: new Float64Array(0) };
  #tie: Float64Array = new Float64Array(0);
  #cooc: Float64Array = new Float64Array(0);
  #touched: Int32Array = new Int32Array(0);

  constructor(options: PopularityOptions = {}) {
    this.options = { ...options };
  }

  /** Transition counts learned by `fit`. */
  get transitions(): TransitionCounts {
    return this.#transitions;
  }

  fit(store: EventStore, train: TimeWindow, _rng: Rng): void {
    this.#transitions = countTransitions(store, train);
    const tie = popularityTieBreak(computePopularity(store, train, this.options));
    for (let i = 0; i < tie.length; i++) tie[i] *= 0.125;
    this.#tie = tie;
    this.#cooc = new Float64Array(store.numItems);
    this.#touched = new Int32Array(store.numItems);
  }

  scoreCandidates(batch: StateBatch, candidates: Int32Array, numCandidates: number, out: Float64Array): void {
    const tie = this.#tie;
    const cooc = this.#cooc;
    const numKnown = tie.length;
    for (let i = 0; i < batch.users.length; i++) {
      const touched = this.#accumulate(batch, i);
      const base = i * numCandidates;
      for (let j = 0; j < numCandidates; j++) {
        const item = candidates[base + j];
        out[base + j] = item >= 0 && item < numKnown ? cooc[item] + tie[item] : 0;
      }
      this.#clear(touched);
    }
  }

  scoreItemsSparse(batch: StateBatch): SparseScores {
    const { rowStart } = this.#transitions;
    const numRows = rowStart.length - 1;
    let total = 0;
    for (let i = 0; i < batch.size; i++) {
      const back = Math.min(3, batch.lengths[i]);
      for (let j = 0; j < back; j++) {
        const a = batch.item(i, j);
        if (a < numRows) total += rowStart[a + 1] - rowStart[a];
      }
    }
    const tie = this.#tie;
    const cooc = this.#cooc;
    const touchedItems = this.#touched;
    const start = new Int32Array(batch.users.length + 1);
    const changed = new Int32Array(total);
    const scores = new Float64Array(total);
    let n = 0;
    for (let i = 0; i < batch.users.length; i++) {
      const touched = this.#accumulate(batch, i);
      for (let j = 0; j < touched; j++) {
        const item = touchedItems[j];
        changed[n] = item;
        scores[n++] = cooc[item] + tie[item];
      }
      this.#clear(touched);
      start[i + 1] = n;
    }
    return { base: tie, start, items: changed.subarray(0, n), scores: scores.subarray(0, n) };
  }

  scoreItems(batch: StateBatch, out: Float64Array): void {
    const numItems = batch.numItems;
    const tie = this.#tie;
    const cooc = this.#cooc;
    const touchedItems = this.#touched;
    for (let i = 0; i < batch.users.length; i++) {
      const offset = i * numItems;
      out.set(tie.length >= numItems ? tie.subarray(0, numItems) : tie, offset);
      if (tie.length < numItems) out.fill(0, offset + tie.length, offset + numItems);
      const touched = this.#accumulate(batch, i);
      for (let j = 0; j < touched; j++) {
        const item = touchedItems[j];
        out[offset + item] = cooc[item] + tie[item];
      }
      this.#clear(touched);
    }
  }

  /** Adds the weighted transition rows of state `i` into the scratch scores; returns how many items it touched. */
  #accumulate(batch: StateBatch, i: number): number {
    const { rowStart, next, counts } = this.#transitions;
    const cooc = this.#cooc;
    const touchedItems = this.#touched;
    const numRows = rowStart.length - 1;
    const back = Math.min(3, batch.lengths[i]);
    let touched = 0;
    for (let j = 0; j < back; j++) {
      const a = batch.item(i, j);
      if (a >= numRows) continue;
      const w = COOCCURRENCE_WEIGHTS[j];
      for (let e = rowStart[a]; e < rowStart[a + 1]; e++) {
        const b = next[e];
        if (cooc[b] === 0) touchedItems[touched++] = b;
        cooc[b] += w * counts[e];
      }
    }
    return touched;
  }

  #clear(touched: number): void {
    const cooc = this.#cooc;
    const touchedItems = this.#touched;
    for (let j = 0; j < touched; j++) cooc[touchedItems[j]] = 0;
  }
}
