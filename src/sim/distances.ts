/**
 * Two-sample Kolmogorov–Smirnov distance: the largest gap between the empirical distribution
 * functions of `a` and `b` (0 = identical, 1 = disjoint). Both samples must be non-empty.
 */
export function ksDistance(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length === 0 || b.length === 0) throw new RangeError(`expected two non-empty samples, actual ${a.length} and ${b.length} values`);
  const x = Float64Array.from(a).sort();
  const y = Float64Array.from(b).sort();
  let i = 0;
  let j = 0;
  let distance = 0;
  while (i < x.length && j < y.length) {
    const v = Math.min(x[i], y[j]);
    while (i < x.length && x[i] === v) i++;
    while (j < y.length && y[j] === v) j++;
    distance = Math.max(distance, Math.abs(i / x.length - j / y.length));
  }
  return distance;
}

/** The two-sample KS distance above which samples of sizes `n` and `m` differ at the 1 % level (asymptotic: 1.63 √((n + m) / (n m))). */
export function ksCriticalValue(n: number, m: number): number {
  return 1.628 * Math.sqrt((n + m) / (n * m));
}

/**
 * Jensen–Shannon divergence in bits (0 = identical, 1 = disjoint) between two distributions given
 * as non-negative counts or weights over the same bins (each normalised to sum to 1).
 */
export function jsDivergence(p: ArrayLike<number>, q: ArrayLike<number>): number {
  if (p.length !== q.length) throw new RangeError(`expected distributions over the same bins, actual ${p.length} and ${q.length} bins`);
  const sp = total(p);
  const sq = total(q);
  if (!(sp > 0 && sq > 0)) throw new RangeError(`expected two distributions with positive mass, actual totals ${sp} and ${sq}`);
  let divergence = 0;
  for (let k = 0; k < p.length; k++) {
    const a = p[k] / sp;
    const b = q[k] / sq;
    const m = (a + b) / 2;
    if (a > 0) divergence += (a / 2) * Math.log2(a / m);
    if (b > 0) divergence += (b / 2) * Math.log2(b / m);
  }
  return Math.max(0, divergence);
}

/** The JS divergence (bits) two samples of `n` and `m` draws from one distribution over `bins` bins show on average: (bins − 1)(1/n + 1/m) / (8 ln 2). */
export function jsSamplingNoise(bins: number, n: number, m: number): number {
  return ((bins - 1) * (1 / n + 1 / m)) / (8 * Math.LN2);
}

function total(values: ArrayLike<number>): number {
  let sum = 0;
  for (let k = 0; k < values.length; k++) {
    if (!(values[k] >= 0)) throw new RangeError(`expected non-negative weights, actual ${values[k]} in bin ${k}`);
    sum += values[k];
  }
  return sum;
}
