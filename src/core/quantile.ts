/**
 * Quantiles of an ascending sample, by two named rules:
 * - `quantile`: linear interpolation between the two nearest order statistics (Hyndman & Fan type 7,
 *   numpy's default): the bootstrap's percentile intervals;
 * - `nearestRank`: the smallest value with at least a share `q` of the sample at or below it (type 1):
 *   a latency percentile that is one of the measured latencies.
 * Both return NaN for an empty sample.
 */

/** Quantile `q` of ascending `sorted` with linear interpolation. */
export function quantile(sorted: ArrayLike<number>, q: number): number {
  if (sorted.length === 0) return Number.NaN;
  const h = (sorted.length - 1) * q;
  const lo = Math.floor(h);
  const hi = Math.min(sorted.length - 1, lo + 1);
  return sorted[lo] + (h - lo) * (sorted[hi] - sorted[lo]);
}

/** The nearest-rank quantile `q` of ascending `sorted`: its ⌈q·n⌉-th smallest value (the smallest for q = 0). */
export function nearestRank(sorted: ArrayLike<number>, q: number): number {
  const n = sorted.length;
  if (n === 0) return Number.NaN;
  return sorted[Math.min(n - 1, Math.max(0, Math.ceil(q * n) - 1))];
}
