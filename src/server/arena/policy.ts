import type { Agent } from '../../agents/agent.js';
import type { Rng } from '../../core/rng.js';
import type { EventStore } from '../../data/event-store.js';
import type { SessionLog } from '../../data/session-log.js';
import { StateBatch } from '../../data/state-batch.js';

/** One recommendation request: the shopper's history is row `row` of `log`, asked at `time` (unix seconds). */
export interface RankRequest {
  readonly log: SessionLog;
  readonly row: number;
  readonly time: number;
  /** Items wanted, best first. */
  readonly size: number;
  readonly kind: 'human' | 'simulated';
}

/** A policy of the arena: ranks the catalogue's item indices for a request, best first. */
export interface Policy {
  readonly name: string;
  /** `built-in` (an agent in this process) or `external` (an agent connected over the protocol). */
  readonly origin: 'built-in' | 'external';
  rank(request: RankRequest): Promise<readonly number[]>;
}

/** A policy's answer to one request: its ranking, or the control's when it missed the deadline. */
export interface TimedRanking {
  readonly ranking: readonly number[];
  readonly latencyMs: number;
  readonly isMissed: boolean;
}

/**
 * The top `size` items of `scores` (NaN as −∞), ties broken by a uniform key per item drawn from
 * `rng`: a bounded selection, O(items · log size).
 */
export function topItems(scores: Float64Array, size: number, rng: Rng): number[] {
  const k = Math.min(size, scores.length);
  const heapItems = new Int32Array(k);
  const heapScores = new Float64Array(k);
  const heapKeys = new Float64Array(k);
  let n = 0;
  const less = (a: number, b: number) => heapScores[a] < heapScores[b] || (heapScores[a] === heapScores[b] && heapKeys[a] < heapKeys[b]);
  const swap = (a: number, b: number) => {
    [heapItems[a], heapItems[b]] = [heapItems[b], heapItems[a]];
    [heapScores[a], heapScores[b]] = [heapScores[b], heapScores[a]];
    [heapKeys[a], heapKeys[b]] = [heapKeys[b], heapKeys[a]];
  };
  const down = (i: number) => {
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let m = i;
      if (l < n && less(l, m)) m = l;
      if (r < n && less(r, m)) m = r;
      if (m === i) return;
      swap(i, m);
      i = m;
    }
  };
  for (let item = 0; item < scores.length; item++) {
    const s = Number.isNaN(scores[item]) ? Number.NEGATIVE_INFINITY : scores[item];
    const key = rng.next();
    if (n < k) {
      heapItems[n] = item;
      heapScores[n] = s;
      heapKeys[n] = key;
      for (let i = n++; i > 0; ) {
        const p = (i - 1) >> 1;
        if (!less(i, p)) break;
        swap(i, p);
        i = p;
      }
    } else if (k > 0 && (s > heapScores[0] || (s === heapScores[0] && key > heapKeys[0]))) {
      heapItems[0] = item;
      heapScores[0] = s;
      heapKeys[0] = key;
      down(0);
    }
  }
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => heapScores[b] - heapScores[a] || heapKeys[b] - heapKeys[a]);
  return order.map((i) => heapItems[i]);
}

/** A fitted agent of this process as a policy: scores every item of the store and keeps the best (ties from `rng`). */
export function agentPolicy(name: string, agent: Agent, store: EventStore, rng: Rng): Policy {
  const scores = new Float64Array(store.numItems);
  return {
    name,
    origin: 'built-in',
    async rank(request) {
      const batch = new StateBatch(request.log, Int32Array.of(request.row), Int32Array.of(request.log.rowLengths[request.row]), Int32Array.of(request.time));
      await agent.scoreItems(batch, scores);
      return topItems(scores, request.size, rng);
    },
  };
}

/**
 * Asks `policy` and waits at most `deadlineMs`: a later answer (or a failure) is a miss, and the
 * `control` policy's ranking takes its place for this request. A policy that computes in this
 * thread cannot be interrupted; its answer still counts as a miss when it came too late.
 */
export async function rankWithDeadline(policy: Policy, control: Policy, request: RankRequest, deadlineMs: number, now: () => number = () => performance.now()): Promise<TimedRanking> {
  const start = now();
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<'late'>((resolve) => {
    timer = setTimeout(() => resolve('late'), deadlineMs);
  });
  let answer: readonly number[] | 'late' | 'failed';
  try {
    answer = await Promise.race([policy.rank(request), late]);
  } catch {
    answer = 'failed';
  } finally {
    clearTimeout(timer);
  }
  const latencyMs = now() - start;
  if (answer !== 'late' && answer !== 'failed' && latencyMs <= deadlineMs) return { ranking: answer, latencyMs, isMissed: false };
  return { ranking: await control.rank(request), latencyMs, isMissed: true };
}
