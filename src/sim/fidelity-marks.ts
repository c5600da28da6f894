import { jsDivergence, jsSamplingNoise, ksCriticalValue, ksDistance } from './distances.js';
import type { LogProfile } from './log-profile.js';

/** The least KS distance the report card tolerates, whatever the sample sizes. */
export const KS_FLOOR = 0.1;
/** The least JS divergence (bits) the report card tolerates, whatever the sample sizes. */
export const JS_FLOOR = 0.01;

/** One line of the report card: a distance between the real and the simulated log, and its pass mark. */
export interface FidelityDistance {
  readonly name: string;
  readonly statistic: 'KS' | 'JS';
  /** Sizes of the real and simulated samples (values for KS, counts for JS). */
  readonly real: number;
  readonly simulated: number;
  readonly distance: number;
  /** Passes when distance ≤ mark. */
  readonly mark: number;
  readonly passed: boolean;
}

/**
 * The distances of the report card, each with its pass mark: KS for session length, events per
 * user, gaps and category entropy per user, passing at max(0.1, the 1 % critical value for the
 * sample sizes); JS (bits) for the funnel (the behaviour mix), the repeat rate and the hour profile,
 * passing at max(0.01, 3 × the divergence two samples of one distribution show on average).
 */
export function fidelityDistances(real: LogProfile, simulated: LogProfile): FidelityDistance[] {
  const ks = (name: string, a: Float64Array, b: Float64Array): FidelityDistance => {
    if (a.length === 0 || b.length === 0) return { name, statistic: 'KS', real: a.length, simulated: b.length, distance: 1, mark: KS_FLOOR, passed: false };
    const distance = ksDistance(a, b);
    const mark = Math.max(KS_FLOOR, ksCriticalValue(a.length, b.length));
    return { name, statistic: 'KS', real: a.length, simulated: b.length, distance, mark, passed: distance <= mark };
  };
  const js = (name: string, a: Float64Array, b: Float64Array): FidelityDistance => {
    const n = a.reduce((s, v) => s + v, 0);
    const m = b.reduce((s, v) => s + v, 0);
    if (n === 0 || m === 0) return { name, statistic: 'JS', real: n, simulated: m, distance: 1, mark: JS_FLOOR, passed: false };
    const distance = jsDivergence(a, b);
    const mark = Math.max(JS_FLOOR, 3 * jsSamplingNoise(a.length, n, m));
    return { name, statistic: 'JS', real: n, simulated: m, distance, mark, passed: distance <= mark };
  };
  return [
    ks('session length (clicks)', real.sessionLengths, simulated.sessionLengths),
    ks('events per user', real.eventsPerUser, simulated.eventsPerUser),
    ks('gap between events (s)', real.gapsSeconds, simulated.gapsSeconds),
    ks('category entropy per user', real.categoryEntropies, simulated.categoryEntropies),
    js('funnel (click, favourite, cart, purchase)', real.behaviourCounts, simulated.behaviourCounts),
    js('repeat rate (clicks on an item clicked before)', real.repeatCounts, simulated.repeatCounts),
    js('hour profile (session starts per UTC hour)', real.hourCounts, simulated.hourCounts),
  ];
}
