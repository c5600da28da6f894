import type { BootstrapSeries } from './bootstrap.js';

/**
 * Logged bandit feedback: per recommendation, the logging policy's chance of the shown item (its
 * propensity, > 0), the reward the shown item earned, and the unit it belongs to (a session or a
 * user, 0 .. numUnits − 1: what the bootstrap resamples).
 */
export interface LoggedFeedback {
  readonly propensities: Float64Array;
  readonly rewards: Float64Array;
  readonly units: Int32Array;
  readonly numUnits: number;
}

function checkFeedback(feedback: LoggedFeedback, target: Float64Array): void {
  const n = feedback.propensities.length;
  if (feedback.rewards.length !== n || feedback.units.length !== n || target.length !== n) {
    throw new RangeError(`expected propensities, rewards, units and target chances of equal length, actual ${n}, ${feedback.rewards.length}, ${feedback.units.length} and ${target.length}`);
  }
}

/** Importance weights w = π_t(x | s) / p(x | s) of the shown items; a propensity ≤ 0 throws. */
export function importanceWeights(target: Float64Array, propensities: Float64Array): Float64Array {
  if (target.length !== propensities.length) throw new RangeError(`expected a target chance per propensity, actual ${target.length} and ${propensities.length}`);
  const weights = new Float64Array(target.length);
  for (let i = 0; i < target.length; i++) {
    const p = propensities[i];
    if (!(p > 0)) throw new RangeError(`expected propensities > 0, actual ${p} at recommendation ${i}`);
    weights[i] = target[i] / p;
  }
  return weights;
}

/** Inverse propensity scoring: mean of w · r over the logged recommendations (NaN when there are none). */
export function ipsEstimate(feedback: LoggedFeedback, target: Float64Array): number {
  checkFeedback(feedback, target);
  const w = importanceWeights(target, feedback.propensities);
  let sum = 0;
  for (let i = 0; i < w.length; i++) sum += w[i] * feedback.rewards[i];
  return w.length > 0 ? sum / w.length : Number.NaN;
}

/** Self-normalised IPS: Σ w · r / Σ w (NaN when no logged item has a target chance). */
export function snipsEstimate(feedback: LoggedFeedback, target: Float64Array): number {
  checkFeedback(feedback, target);
  const w = importanceWeights(target, feedback.propensities);
  let num = 0;
  let den = 0;
  for (let i = 0; i < w.length; i++) {
    num += w[i] * feedback.rewards[i];
    den += w[i];
  }
  return den > 0 ? num / den : Number.NaN;
}

/** Per unit: Σ w · r, the number of recommendations and Σ w. */
function unitSums(feedback: LoggedFeedback, target: Float64Array): { sums: Float64Array; counts: Float64Array; weightSums: Float64Array } {
  checkFeedback(feedback, target);
  const w = importanceWeights(target, feedback.propensities);
  const sums = new Float64Array(feedback.numUnits);
  const counts = new Float64Array(feedback.numUnits);
  const weightSums = new Float64Array(feedback.numUnits);
  for (let i = 0; i < w.length; i++) {
    const u = feedback.units[i];
    sums[u] += w[i] * feedback.rewards[i];
    counts[u] += 1;
    weightSums[u] += w[i];
  }
  return { sums, counts, weightSums };
}

/** IPS as a bootstrap series over the units: per unit Σ w · r, weighted by its recommendations (so the ratio is {@link ipsEstimate}). */
export function ipsSeries(feedback: LoggedFeedback, target: Float64Array): BootstrapSeries {
  const { sums, counts } = unitSums(feedback, target);
  return { sums, weights: counts };
}

/** SNIPS as a bootstrap series over the units: per unit Σ w · r, weighted by Σ w (so the ratio is {@link snipsEstimate}). */
export function snipsSeries(feedback: LoggedFeedback, target: Float64Array): BootstrapSeries {
  const { sums, weightSums } = unitSums(feedback, target);
  return { sums, weights: weightSums };
}

/** The plain mean of `values` as a bootstrap series over `units` (each value weighs 1). */
export function meanSeries(values: Float64Array, units: Int32Array, numUnits: number): BootstrapSeries {
  if (values.length !== units.length) throw new RangeError(`expected a unit per value, actual ${values.length} values and ${units.length} units`);
  const sums = new Float64Array(numUnits);
  const weights = new Float64Array(numUnits);
  for (let i = 0; i < values.length; i++) {
    sums[units[i]] += values[i];
    weights[units[i]] += 1;
  }
  return { sums, weights };
}

/**
 * The best score over `support` in the row of `scores` starting at `offset` (NaN scores as −∞),
 * and how many items of the support share it: a greedy policy with uniform ties shows each of them
 * with chance 1 / tied.
 */
export function bestOverSupport(scores: Float64Array, offset: number, support: Int32Array): { best: number; tied: number } {
  let best = Number.NEGATIVE_INFINITY;
  let tied = 0;
  for (let j = 0; j < support.length; j++) {
    const raw = scores[offset + support[j]];
    const s = Number.isNaN(raw) ? Number.NEGATIVE_INFINITY : raw;
    if (s > best) {
      best = s;
      tied = 1;
    } else if (s === best) tied++;
  }
  return { best, tied };
}

/** π(item | s) of a greedy policy with uniform ties: 1 / tied when `item`'s score is the best (see {@link bestOverSupport}), else 0. */
export function greedyChance(scores: Float64Array, offset: number, item: number, best: { best: number; tied: number }): number {
  const raw = scores[offset + item];
  const s = Number.isNaN(raw) ? Number.NEGATIVE_INFINITY : raw;
  return best.tied > 0 && s === best.best ? 1 / best.tied : 0;
}
