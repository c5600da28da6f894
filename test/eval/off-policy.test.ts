import { describe, expect, it } from 'vitest';
import { createRng } from '../../src/core/rng.js';
import { Bootstrap } from '../../src/eval/bootstrap.js';
import {
  bestOverSupport,
  greedyChance,
  importanceWeights,
  ipsEstimate,
  ipsSeries,
  meanSeries,
  snipsEstimate,
  snipsSeries,
  type LoggedFeedback,
} from '../../src/eval/off-policy.js';

const feedback = (propensities: number[], rewards: number[], units = propensities.map((_, i) => i)): LoggedFeedback => ({
  propensities: Float64Array.from(propensities),
  rewards: Float64Array.from(rewards),
  units: Int32Array.from(units),
  numUnits: Math.max(0, ...units) + 1,
});

/** A logged K-armed bandit: arms drawn from `logging`, Bernoulli rewards with means `means`. */
function banditLog(logging: number[], means: number[], draws: number, seed: string): { log: LoggedFeedback; arms: Int32Array } {
  const rng = createRng(seed);
  const arms = new Int32Array(draws);
  const propensities = new Float64Array(draws);
  const rewards = new Float64Array(draws);
  for (let i = 0; i < draws; i++) {
    let u = rng.next();
    let arm = 0;
    while (arm < logging.length - 1 && u >= logging[arm]) u -= logging[arm++];
    arms[i] = arm;
    propensities[i] = logging[arm];
    rewards[i] = rng.next() < means[arm] ? 1 : 0;
  }
  return { log: { propensities, rewards, units: Int32Array.from({ length: draws }, (_, i) => i % 1000), numUnits: 1000 }, arms };
}

describe('off-policy estimators', () => {
  describe('ipsEstimate / snipsEstimate', () => {
    it('match a hand-computed tiny log', () => {
      // w = [1 / 0.5, 0 / 0.25, 0.5 / 1] = [2, 0, 0.5]; Σ w r = 2 · 1 + 0 + 0.5 · 0.5 = 2.25.
      const log = feedback([0.5, 0.25, 1], [1, 0, 0.5], [0, 0, 1]);
      const target = Float64Array.from([1, 0, 0.5]);
      expect(Array.from(importanceWeights(target, log.propensities))).toEqual([2, 0, 0.5]);
      expect(ipsEstimate(log, target)).toBeCloseTo(2.25 / 3, 15);
      expect(snipsEstimate(log, target)).toBeCloseTo(2.25 / 2.5, 15);
      const [ips, snips] = new Bootstrap(2, { resamples: 20 }).intervals([ipsSeries(log, target), snipsSeries(log, target)]);
      expect(ips.mean).toBeCloseTo(2.25 / 3, 15);
      expect(snips.mean).toBeCloseTo(2.25 / 2.5, 15);
    });

    it('IPS is unbiased on a logged bandit with known propensities (fixed seed, many draws)', () => {
      const logging = [0.4, 0.3, 0.15, 0.1, 0.05];
      const means = [0.1, 0.2, 0.3, 0.4, 0.9];
      const { log, arms } = banditLog(logging, means, 200_000, 'off-policy:bandit');
      // A deterministic target on the rarest arm (truth 0.9, w = 20 there) and a uniform one (truth 0.38).
      const rare = Float64Array.from(arms, (a) => (a === 4 ? 1 : 0));
      const uniform = new Float64Array(arms.length).fill(1 / 5);
      // Standard error of the rare arm's IPS: √((0.05 · 400 · 0.9 − 0.81) / 200,000) ≈ 0.0093.
      expect(Math.abs(ipsEstimate(log, rare) - 0.9)).toBeLessThan(0.04);
      expect(Math.abs(ipsEstimate(log, uniform) - 0.38)).toBeLessThan(0.01);
      expect(Math.abs(snipsEstimate(log, uniform) - 0.38)).toBeLessThan(0.01);
      // The logging policy itself: w = 1, IPS = the mean logged reward.
      const own = Float64Array.from(arms, (a) => logging[a]);
      let mean = 0;
      for (const r of log.rewards) mean += r / log.rewards.length;
      expect(ipsEstimate(log, own)).toBeCloseTo(mean, 12);
    });

    it('SNIPS of a constant reward is that constant, whatever the weights', () => {
      const rng = createRng('off-policy:constant');
      const n = 500;
      const log = feedback(
        Array.from({ length: n }, () => 0.01 + rng.next()),
        Array.from({ length: n }, () => 0.3),
        Array.from({ length: n }, (_, i) => i % 17),
      );
      const target = Float64Array.from({ length: n }, () => rng.next());
      expect(snipsEstimate(log, target)).toBeCloseTo(0.3, 12);
      const [snips] = new Bootstrap(17, { resamples: 50 }).intervals([snipsSeries(log, target)]);
      expect(snips.lo).toBeCloseTo(0.3, 12);
      expect(snips.hi).toBeCloseTo(0.3, 12);
    });

    it('is deterministic under a seed and refuses a zero propensity or mismatched lengths', () => {
      const a = banditLog([0.5, 0.5], [0.2, 0.7], 5000, 'seed:1');
      const b = banditLog([0.5, 0.5], [0.2, 0.7], 5000, 'seed:1');
      const target = Float64Array.from(a.arms, (x) => x);
      const boot = () => new Bootstrap(1000, { resamples: 100, seed: 4 }).intervals([ipsSeries(a.log, target), snipsSeries(b.log, target)]);
      expect(boot()).toEqual(boot());
      expect(ipsEstimate(a.log, target)).toBe(ipsEstimate(b.log, target));
      expect(() => ipsEstimate(feedback([0], [1]), Float64Array.of(1))).toThrow('expected propensities > 0, actual 0 at recommendation 0');
      expect(() => snipsEstimate(feedback([1, 1], [1, 1]), Float64Array.of(1))).toThrow(RangeError);
    });
  });

  describe('meanSeries', () => {
    it('sums values per unit with one weight per value', () => {
      const s = meanSeries(Float64Array.of(1, 2, 3), Int32Array.of(0, 1, 1), 3);
      expect(Array.from(s.sums)).toEqual([1, 5, 0]);
      expect(Array.from(s.weights)).toEqual([1, 2, 0]);
    });
  });

  describe('bestOverSupport / greedyChance', () => {
    it('gives 1 / t to each of the t tied best items of the support, 0 elsewhere, NaN as −∞', () => {
      const scores = Float64Array.of(9, 2, 5, 5, NaN, 5);
      const support = Int32Array.of(1, 2, 3, 4, 5); // item 0 (the best score) is outside the support
      const best = bestOverSupport(scores, 0, support);
      expect(best).toEqual({ best: 5, tied: 3 });
      expect([1, 2, 3, 4, 5].map((x) => greedyChance(scores, 0, x, best))).toEqual([0, 1 / 3, 1 / 3, 0, 1 / 3]);
      const blank = Float64Array.of(NaN, NaN);
      const none = bestOverSupport(blank, 0, Int32Array.of(0, 1));
      expect(none.tied).toBe(2);
      expect(greedyChance(blank, 0, 1, none)).toBe(0.5);
    });
  });
});
