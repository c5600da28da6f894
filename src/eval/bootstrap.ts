import { createRng, type Rng } from '../core/rng.js';
import { quantile } from '../core/quantile.js';

export { quantile } from '../core/quantile.js';

/** A ratio estimate over test users: `sum(sums) / sum(weights)` (case-weighted mean: weights = case counts). */
export interface BootstrapSeries {
  /** Per test user: the sum of the metric over the user's cases. */
  readonly sums: Float64Array;
  /** Per test user: the number of cases (or 1 per user for per-user means). */
  readonly weights: Float64Array;
}

/** A point estimate with its percentile-bootstrap confidence interval (NaN when there are no cases). */
export interface Interval {
  readonly mean: number;
  readonly lo: number;
  readonly hi: number;
}

/** Options of {@link Bootstrap}. */
export interface BootstrapOptions {
  /** Number of resamples (default 1000). */
  readonly resamples?: number;
  /** Confidence level (default 0.95). */
  readonly level?: number;
  /** Seed of the resamples (default 0); the same seed gives the same resamples. */
  readonly seed?: number | string;
}

/**
 * Percentile bootstrap over test users: each resample draws `numUsers` users with replacement (all
 * their cases come along), and every series is re-estimated as `sum(count_u * sums_u) /
 * sum(count_u * weights_u)`. Every `intervals` call replays the same resamples, so agents evaluated
 * separately are resampled identically and paired differences (a series of per-user differences) are
 * exact: identical agents give a difference of exactly 0 with CI [0, 0]. Bounds are the
 * `(1 - level) / 2` and `(1 + level) / 2` quantiles with linear interpolation (numpy's default);
 * resamples in which a series has zero weight are left out of its quantiles.
 */
export class Bootstrap {
  readonly numUsers: number;
  readonly resamples: number;
  readonly level: number;
  readonly #seed: number | string;

  constructor(numUsers: number, options: BootstrapOptions = {}) {
    const resamples = options.resamples ?? 1000;
    const level = options.level ?? 0.95;
    if (!(Number.isInteger(numUsers) && numUsers >= 0)) throw new RangeError(`expected numUsers >= 0, actual ${numUsers}`);
    if (!(Number.isInteger(resamples) && resamples >= 1)) throw new RangeError(`expected resamples >= 1, actual ${resamples}`);
    if (!(level > 0 && level < 1)) throw new RangeError(`expected 0 < level < 1, actual ${level}`);
    this.numUsers = numUsers;
    this.resamples = resamples;
    this.level = level;
    this.#seed = options.seed ?? 0;
  }

  /** Point estimates and CIs of each series, all from the same resamples. */
  intervals(series: readonly BootstrapSeries[]): Interval[] {
    const n = this.numUsers;
    for (const s of series) {
      if (s.sums.length !== n || s.weights.length !== n) {
        throw new RangeError(`expected series of length ${n}, actual ${s.sums.length} and ${s.weights.length}`);
      }
    }
    const rng: Rng = createRng(`bootstrap:${String(this.#seed)}`);
    const counts = new Int32Array(n);
    const values = series.map(() => new Float64Array(this.resamples));
    const valid = new Int32Array(series.length);
    // Users with weight in a series; a series with few such users (a small subset) costs only those.
    const active = series.map(({ weights }) => {
      const users: number[] = [];
      for (let u = 0; u < n; u++) if (weights[u] !== 0) users.push(u);
      return Int32Array.from(users);
    });
    for (let r = 0; r < this.resamples; r++) {
      counts.fill(0);
      for (let j = 0; j < n; j++) counts[rng.nextInt(n)]++;
      for (let s = 0; s < series.length; s++) {
        const { sums, weights } = series[s];
        const users = active[s];
        let num = 0;
        let den = 0;
        for (let j = 0; j < users.length; j++) {
          const u = users[j];
          const c = counts[u];
          num += c * sums[u];
          den += c * weights[u];
        }
        if (den > 0) values[s][valid[s]++] = num / den;
      }
    }
    const qLo = (1 - this.level) / 2;
    const qHi = (1 + this.level) / 2;
    return series.map((s, i) => {
      let num = 0;
      let den = 0;
      for (let u = 0; u < n; u++) {
        num += s.sums[u];
        den += s.weights[u];
      }
      const sorted = values[i].subarray(0, valid[i]).sort();
      return { mean: den > 0 ? num / den : NaN, lo: quantile(sorted, qLo), hi: quantile(sorted, qHi) };
    });
  }
}

/** Per-user differences `a - b` of two series with the same weights (a paired comparison). */
export function pairedDifference(a: BootstrapSeries, b: BootstrapSeries): BootstrapSeries {
  const sums = new Float64Array(a.sums.length);
  for (let u = 0; u < sums.length; u++) sums[u] = a.sums[u] - b.sums[u];
  return { sums, weights: a.weights };
}
