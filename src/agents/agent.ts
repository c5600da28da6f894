import type { Rng } from '../core/rng.js';
import type { EventStore } from '../data/event-store.js';
import type { TimeWindow } from '../data/split.js';
import type { StateBatch } from '../data/state-batch.js';

export { StateBatch } from '../data/state-batch.js';

/**
 * Whole-catalogue scores as a shared base plus per-state changes: state `i` scores item `x` with
 * `scores[j]` if `items[j] === x` for some `j` in `start[i] .. start[i + 1] - 1` (each item at most once
 * per state), else `base[x]`. `base` (length = the store's numItems) must not change after it is
 * returned: return a new array when it would, since callers may cache per-`base` structures.
 */
export interface SparseScores {
  readonly base: Float64Array;
  /** Length = states + 1. */
  readonly start: Int32Array;
  readonly items: Int32Array;
  readonly scores: Float64Array;
}

/**
 * A recommender judged by recgym: it scores items for a batch of states, higher is better.
 *
 * Item ids are the store's dense item ids. An item the agent has no training data for (an id outside
 * its training catalogue, including an id >= the number of items it knows) is **cold**: the agent must
 * score it as an item it knows nothing of, never throw. Scores are float64 so that lexicographic
 * baselines (e.g. co-occurrence, then popularity) stay exact; equal scores are ties, which callers
 * break uniformly at random with their seed ({@link act}, the evaluator).
 *
 * Lifecycle: `fit` once (baselines read training-window events only), then any number of scoring
 * calls. Checkpoints come with the DQN (issue 9): an agent that can be saved implements `save`, and
 * its registry entry gets a `load` (see `AgentSpec` in registry.ts).
 */
export interface Agent {
  /** Registry name, e.g. `popularity`. */
  readonly name: string;
  /** Learns from events of `store` whose time lies in `train`; `rng` is the agent's only randomness. */
  fit(store: EventStore, train: TimeWindow, rng: Rng): void | Promise<void>;
  /**
   * Scores `numCandidates` candidates per state: `candidates[i * numCandidates + j]` is an item id,
   * and its score goes to `out[i * numCandidates + j]`.
   */
  scoreCandidates(batch: StateBatch, candidates: Int32Array, numCandidates: number, out: Float64Array): void | Promise<void>;
  /** Scores every store item per state: `out[i * store.numItems + item]`. */
  scoreItems(batch: StateBatch, out: Float64Array): void | Promise<void>;
  /**
   * Optional fast path for agents whose scores are one vector shared by every state plus a few
   * per-state changes (all the count baselines): returns them instead of dense rows, and the
   * evaluator ranks a case in O(changes + log catalogue) instead of O(catalogue). Must describe
   * exactly the scores `scoreItems` would write.
   */
  scoreItemsSparse?(batch: StateBatch): SparseScores | Promise<SparseScores>;
  /** Writes a checkpoint to `dir` (agents that learn; none of the baselines). */
  save?(dir: string): Promise<void>;
}

/**
 * Index of the largest score in each row of `scores` (`rows` x `cols`), ties broken uniformly at
 * random with `rng` (one draw per tied maximum beyond the first). Writes into `out`.
 */
export function argmaxRows(scores: Float64Array, rows: number, cols: number, rng: Rng, out: Int32Array = new Int32Array(rows)): Int32Array {
  if (!(cols >= 1)) throw new RangeError(`expected cols >= 1, actual ${cols}`);
  if (scores.length < rows * cols) throw new RangeError(`expected scores of length >= ${rows * cols}, actual ${scores.length}`);
  for (let r = 0; r < rows; r++) {
    const base = r * cols;
    let best = 0;
    let bestScore = scores[base];
    let ties = 1;
    for (let c = 1; c < cols; c++) {
      const s = scores[base + c];
      if (s > bestScore || (Number.isNaN(bestScore) && !Number.isNaN(s))) {
        best = c;
        bestScore = s;
        ties = 1;
      } else if (s === bestScore) {
        ties++;
        if (rng.next() * ties < 1) best = c;
      }
    }
    out[r] = best;
  }
  return out;
}

/**
 * The agent's choice among each state's candidates: the index (0 .. numCandidates - 1) of the
 * highest-scoring candidate, ties broken uniformly at random with `rng`. The chosen item of state `i`
 * is `candidates[i * numCandidates + index[i]]` (the replay env's `candidates` action is the index).
 */
export async function act(
  agent: Agent,
  batch: StateBatch,
  candidates: Int32Array,
  numCandidates: number,
  rng: Rng,
  out: Int32Array = new Int32Array(batch.users.length),
): Promise<Int32Array> {
  const rows = batch.users.length;
  const scores = new Float64Array(rows * numCandidates);
  await agent.scoreCandidates(batch, candidates, numCandidates, scores);
  return argmaxRows(scores, rows, numCandidates, rng, out);
}

/** Checks a batch's shape once per call (programmer errors). */
export function checkBatch(batch: StateBatch): void {
  batch.check();
}

/** `agent` under another report name (its scores unchanged), e.g. an ablation variant of the DQN. */
export function withName(agent: Agent, name: string): Agent {
  if (agent.name === name) return agent;
  return {
    name,
    fit: (store, train, rng) => agent.fit(store, train, rng),
    scoreCandidates: (batch, candidates, numCandidates, out) => agent.scoreCandidates(batch, candidates, numCandidates, out),
    scoreItems: (batch, out) => agent.scoreItems(batch, out),
    ...(agent.scoreItemsSparse ? { scoreItemsSparse: (batch: StateBatch) => (agent.scoreItemsSparse as NonNullable<Agent['scoreItemsSparse']>)(batch) } : {}),
  };
}
