import type { Rng } from '../../core/rng.js';
import { poisson } from '../../sim/shopper-log.js';
import { nearestRank } from '../../core/quantile.js';

/** Two-sided 95 % normal quantile. */
export const Z95 = 1.959963984540054;

/** One impression's result: the policies that had a team in it and each one's credit (items acted on). */
export interface ImpressionOutcome {
  readonly policies: readonly string[];
  readonly credit: readonly number[];
}

/** The interleaving comparison of policies `a` and `b` over the impressions where both had a team. */
export interface PairResult {
  readonly a: string;
  readonly b: string;
  readonly impressions: number;
  readonly winsA: number;
  readonly winsB: number;
  readonly ties: number;
  /** winsA / (winsA + winsB); null before any decisive impression. */
  readonly winRate: number | null;
  /** Wilson 95 % interval of the win rate. */
  readonly ci: readonly [number, number] | null;
  /** True when the interval excludes 1/2. */
  readonly isDecided: boolean;
  /** Impressions still needed before the interval would exclude 1/2 if the win rate stayed as it is (0 when decided, null when it cannot: no decisive impression yet, or exactly 1/2). */
  readonly impressionsNeeded: number | null;
}

/** Wilson score interval of `wins` successes in `n` trials. */
export function wilson(wins: number, n: number, z = Z95): [number, number] {
  if (n <= 0) return [0, 1];
  const p = wins / n;
  const z2 = z * z;
  const centre = (p + z2 / (2 * n)) / (1 + z2 / n);
  const half = (z * Math.sqrt((p * (1 - p)) / n + z2 / (4 * n * n))) / (1 + z2 / n);
  return [Math.max(0, centre - half), Math.min(1, centre + half)];
}

function excludesHalf(p: number, n: number): boolean {
  const [lo, hi] = wilson(p * n, n);
  return lo > 0.5 || hi < 0.5;
}

/**
 * Impressions still needed for a decision: the smallest number of decisive impressions at which
 * the Wilson interval of the current rate excludes 1/2, less those seen, scaled by the share of
 * impressions that were decisive.
 */
export function impressionsNeeded(winsA: number, winsB: number, impressions: number): number | null {
  const decisive = winsA + winsB;
  if (decisive === 0) return null;
  const p = winsA / decisive;
  if (excludesHalf(p, decisive)) return 0;
  if (p === 0.5) return null;
  let hi = decisive;
  while (!excludesHalf(p, hi)) hi *= 2;
  let lo = decisive;
  while (hi - lo > 1) {
    const mid = Math.floor((lo + hi) / 2);
    if (excludesHalf(p, mid)) hi = mid;
    else lo = mid;
  }
  return Math.ceil(((hi - decisive) * impressions) / decisive);
}

/** Pairwise interleaving results of every pair of `policies` (in the order given, `a` before `b`); `weights`: how many impressions each outcome stands for. */
export function pairwise(outcomes: readonly ImpressionOutcome[], policies: readonly string[], weights?: ArrayLike<number>): PairResult[] {
  const wins = winMatrix(outcomes, policies, weights);
  const results: PairResult[] = [];
  for (let i = 0; i < policies.length; i++) {
    for (let j = i + 1; j < policies.length; j++) {
      const { impressions, winsA, winsB } = { impressions: wins.met[i][j], winsA: wins.beat[i][j], winsB: wins.beat[j][i] };
      const decisive = winsA + winsB;
      const ci = decisive > 0 ? wilson(winsA, decisive) : null;
      results.push({
        a: policies[i],
        b: policies[j],
        impressions,
        winsA,
        winsB,
        ties: impressions - decisive,
        winRate: decisive > 0 ? winsA / decisive : null,
        ci,
        isDecided: ci !== null && (ci[0] > 0.5 || ci[1] < 0.5),
        impressionsNeeded: impressionsNeeded(winsA, winsB, impressions),
      });
    }
  }
  return results;
}

/** `beat[i][j]`: impressions where policy i earned more credit than j; `met[i][j]`: impressions with both. */
export function winMatrix(outcomes: readonly ImpressionOutcome[], policies: readonly string[], weights?: ArrayLike<number>): { beat: number[][]; met: number[][] } {
  const index = new Map(policies.map((p, i) => [p, i]));
  const n = policies.length;
  const beat = Array.from({ length: n }, () => new Array<number>(n).fill(0));
  const met = Array.from({ length: n }, () => new Array<number>(n).fill(0));
  outcomes.forEach((o, k) => {
    const w = weights ? weights[k] : 1;
    if (w === 0) return;
    for (let x = 0; x < o.policies.length; x++) {
      const i = index.get(o.policies[x]);
      if (i === undefined) continue;
      for (let y = x + 1; y < o.policies.length; y++) {
        const j = index.get(o.policies[y]);
        if (j === undefined) continue;
        met[i][j] += w;
        met[j][i] += w;
        if (o.credit[x] > o.credit[y]) beat[i][j] += w;
        else if (o.credit[y] > o.credit[x]) beat[j][i] += w;
      }
    }
  });
  return { beat, met };
}

/**
 * Bradley–Terry log-strengths (mean 0) from `beat[i][j]` by Hunter's MM iteration, with half a
 * win each way added to every pair (keeps an unbeaten policy finite). P(i beats j) =
 * 1 / (1 + exp(r_j − r_i)).
 */
export function bradleyTerry(beat: readonly (readonly number[])[], iterations = 200): number[] {
  const n = beat.length;
  if (n === 0) return [];
  const prior = 0.5;
  const w = (i: number, j: number) => beat[i][j] + prior;
  let strength = new Array<number>(n).fill(1);
  for (let it = 0; it < iterations; it++) {
    const next = strength.map((_, i) => {
      let wins = 0;
      let denominator = 0;
      for (let j = 0; j < n; j++) {
        if (j === i) continue;
        wins += w(i, j);
        denominator += (w(i, j) + w(j, i)) / (strength[i] + strength[j]);
      }
      return denominator > 0 ? wins / denominator : 1;
    });
    const meanLog = next.reduce((s, v) => s + Math.log(v), 0) / n;
    strength = next.map((v) => v / Math.exp(meanLog));
  }
  return strength.map((v) => Math.log(v));
}

/** A policy's Bradley–Terry rating with its bootstrap interval. */
export interface Rating {
  readonly policy: string;
  readonly rating: number;
  readonly ci: readonly [number, number];
}

/** What a win matrix reads of an outcome: its policies and the order of their credits. */
export function outcomeKey(o: ImpressionOutcome): string {
  return `${o.policies.join('\u0000')}|${o.credit.map((c) => o.credit.filter((d) => d < c).length).join(',')}`;
}

/**
 * The outcomes grouped by what a win matrix reads of them (the policies and the order of their
 * credits): one representative and a count per group, so that resampling costs O(groups).
 */
export function groupOutcomes(outcomes: readonly ImpressionOutcome[]): { groups: ImpressionOutcome[]; counts: number[] } {
  const index = new Map<string, number>();
  const groups: ImpressionOutcome[] = [];
  const counts: number[] = [];
  for (const o of outcomes) {
    const key = outcomeKey(o);
    const at = index.get(key);
    if (at === undefined) {
      index.set(key, groups.length);
      groups.push(o);
      counts.push(1);
    } else counts[at]++;
  }
  return { groups, counts };
}

/**
 * Bradley–Terry ratings with 95 % percentile intervals from `resamples` Poisson bootstrap
 * resamples of the impressions (each impression weighted by a Poisson(1) draw, summed per group of
 * equal outcomes: a Poisson(count) draw from `rng`). `grouped`: the outcomes are already groups, with these counts.
 */
export function ratingsWithCi(outcomes: readonly ImpressionOutcome[], policies: readonly string[], rng: Rng, resamples = 200, grouped?: readonly number[]): Rating[] {
  const { groups, counts } = grouped ? { groups: outcomes, counts: grouped } : groupOutcomes(outcomes);
  const ratings = bradleyTerry(winMatrix(groups, policies, counts).beat);
  const samples = policies.map(() => new Float64Array(resamples));
  const weights = new Float64Array(groups.length);
  for (let r = 0; r < resamples; r++) {
    for (let g = 0; g < groups.length; g++) weights[g] = poisson(counts[g], rng);
    bradleyTerry(winMatrix(groups, policies, weights).beat, 50).forEach((v, i) => {
      samples[i][r] = v;
    });
  }
  return policies.map((policy, i) => {
    const sorted = samples[i].sort();
    const at = (q: number) => (resamples > 0 ? nearestRank(sorted, q) : ratings[i]);
    return { policy, rating: ratings[i], ci: [at(0.025), at(0.975)] as const };
  });
}
