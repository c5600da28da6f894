import { ErrorCode, RecGymError } from '../core/errors.js';
import type { Rng } from '../core/rng.js';
import type { MetricKind } from './metrics.js';
import type { TestCases } from './test-cases.js';

/** `seed` (positive + 4 negatives), `sampled` (positive + 99 negatives), `full` (whole catalogue). */
export type ProtocolName = 'seed' | 'sampled' | 'full';

/** What a protocol ranks and reports. */
export interface ProtocolSpec {
  readonly name: ProtocolName;
  /** Candidates per case (positive included); 0 = the whole catalogue. */
  readonly numCandidates: number;
  readonly defaultK: number;
  /** Metrics in report order; the first is the headline. */
  readonly metrics: readonly MetricKind[];
}

/** The three protocols of issue 8. */
export const PROTOCOLS: Readonly<Record<ProtocolName, ProtocolSpec>> = {
  seed: { name: 'seed', numCandidates: 5, defaultK: 4, metrics: ['recall', 'top1', 'reward'] },
  sampled: { name: 'sampled', numCandidates: 100, defaultK: 10, metrics: ['hr', 'ndcg'] },
  full: { name: 'full', numCandidates: 0, defaultK: 20, metrics: ['recall', 'ndcg', 'mrr'] },
};

/** True for `seed`, `sampled` and `full`. */
export function isProtocolName(value: string): value is ProtocolName {
  return value === 'seed' || value === 'sampled' || value === 'full';
}

/** Report name of a metric: `recall@4`, `hr@10`, `ndcg@20`, `mrr`, `top1`, `rewardPerUser`. */
export function metricName(kind: MetricKind, k: number): string {
  if (kind === 'mrr' || kind === 'top1') return kind;
  if (kind === 'reward') return 'rewardPerUser';
  return `${kind}@${k}`;
}

/**
 * Candidate sets of a sampled protocol: case `i`'s candidates are `items[i * numCandidates ..]`,
 * the positive at `positiveIndex[i]`, the others distinct catalogue items drawn uniformly, never the
 * positive.
 */
export interface CandidateSets {
  readonly numCandidates: number;
  readonly items: Int32Array;
  readonly positiveIndex: Int32Array;
}

/**
 * Draws every case's candidate set once (all cases, whatever the `--cases` filter, in case order),
 * so that all agents and filters share them: for each case, `numCandidates - 1` distinct negatives
 * uniform over the catalogue minus the positive (rejection sampling), then the positive's slot uniform
 * in 0 .. numCandidates - 1 (the negative there moves to the end).
 */
export function drawCandidateSets(cases: TestCases, numCandidates: number, rng: Rng): CandidateSets {
  if (!(Number.isInteger(numCandidates) && numCandidates >= 1)) {
    throw new RangeError(`expected numCandidates >= 1, actual ${numCandidates}`);
  }
  const catalogue = cases.catalogue;
  const size = catalogue.length;
  const items = new Int32Array(cases.count * numCandidates);
  const positiveIndex = new Int32Array(cases.count);
  const negatives = numCandidates - 1;
  const drawnFor = new Int32Array(cases.inCatalogue.length).fill(-1);
  for (let i = 0; i < cases.count; i++) {
    const positive = cases.items[i];
    const available = cases.inCatalogue[positive] ? size - 1 : size;
    if (available < negatives) {
      throw new RecGymError(
        ErrorCode.BAD_OPTION,
        `candidates: expected a catalogue with at least ${negatives} items besides the positive, actual ${available}`,
      );
    }
    const base = i * numCandidates;
    for (let j = 0; j < negatives; j++) {
      for (;;) {
        const item = catalogue[rng.nextInt(size)];
        if (item === positive) continue;
        if (drawnFor[item] === i) continue;
        drawnFor[item] = i;
        items[base + j] = item;
        break;
      }
    }
    const slot = rng.nextInt(numCandidates);
    items[base + negatives] = items[base + slot];
    items[base + slot] = positive;
    positiveIndex[i] = slot;
  }
  return { numCandidates, items, positiveIndex };
}
