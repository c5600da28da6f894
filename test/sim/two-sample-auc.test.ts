import { describe, expect, it } from 'vitest';
import { createRng, type Rng } from '../../src/core/rng.js';
import { EventStoreBuilder, type EventStore } from '../../src/data/event-store.js';
import { splitByDay } from '../../src/data/split.js';
import { defaultEventStore } from '../../src/env/registry.js';
import { fitSimulator } from '../../src/sim/fit-simulator.js';
import { ShopperModel } from '../../src/sim/shopper-model.js';
import { standardNormal } from '../../src/sim/shopper-population.js';
import { simulateOrganicLog } from '../../src/sim/simulate-log.js';
import { SESSION_FEATURES, sessionFeatures, TWO_SAMPLE_AUC_MARK, twoSampleAuc, type SessionFeatures } from '../../src/sim/two-sample-auc.js';

const DIMS = SESSION_FEATURES.length;

/** `count` sessions of independent standard normal features, `shift` added to feature 0. */
function gaussian(count: number, shift: number, rng: Rng): SessionFeatures {
  const values = Float64Array.from({ length: count * DIMS }, (_, k) => standardNormal(rng) + (k % DIMS === 0 ? shift : 0));
  return { count, values };
}

describe('sessionFeatures', () => {
  it('reads each session of the window: counts, distinct items and categories, repeats, gaps, start hour, popularity (hand-computed)', () => {
    const builder = new EventStoreBuilder();
    const day = 1_700_006_400; // 2023-11-15T00:00:00Z
    builder.append(1, 10, 100, 1, day - 10); // before the window: item 10 clicked once
    builder.append(1, 10, 100, 1, day + 6 * 3600); // session 1 at 06:00: a repeat click
    builder.append(1, 10, 100, 3, day + 6 * 3600 + 9); // its cart, 9 s later
    builder.append(1, 11, 101, 1, day + 6 * 3600 + 9 + 99); // another item and category, 99 s later
    builder.append(2, 11, 101, 4, day + 18 * 3600); // user 2, session at 18:00: one purchase
    const store: EventStore = builder.build();
    const features = sessionFeatures(store, { start: day, end: day + 86_400 }, 1800);
    expect(features.count).toBe(2);
    const row = (i: number) => Array.from(features.values.subarray(i * DIMS, (i + 1) * DIMS));
    const [events, clicks, favourites, carts, purchases, items, categories, repeat, gap, sin, cos, popularity] = row(0);
    expect([events, clicks, favourites, carts, purchases, items, categories]).toEqual([Math.log1p(3), Math.log1p(2), 0, Math.log1p(1), 0, Math.log1p(2), Math.log1p(2)]);
    expect(repeat).toBe(0.5);
    expect(gap).toBeCloseTo((Math.log1p(9) + Math.log1p(99)) / 2, 12);
    expect(sin).toBeCloseTo(1, 12);
    expect(cos).toBeCloseTo(0, 12);
    // Item 10 had one event before the window, item 11 none.
    expect(popularity).toBeCloseTo((2 * Math.log1p(1)) / 3, 12);
    expect(row(1).slice(0, 5)).toEqual([Math.log1p(1), 0, 0, 0, Math.log1p(1)]);
    expect(row(1)[9]).toBeCloseTo(-1, 12);
  });
});

describe('twoSampleAuc', () => {
  it('is near 0.5 for two samples of one distribution and passes', () => {
    const rng = createRng(3);
    const result = twoSampleAuc(gaussian(1000, 0, rng), gaussian(1000, 0, rng), createRng(4));
    expect(Math.abs(result.auc - 0.5)).toBeLessThan(0.1);
    expect(result.passed).toBe(true);
    expect(result.mark).toBe(TWO_SAMPLE_AUC_MARK);
  });

  it('is above 0.9 for clearly different distributions, fails, and weighs the feature that differs most', () => {
    const rng = createRng(3);
    const result = twoSampleAuc(gaussian(1000, 0, rng), gaussian(1000, 3, rng), createRng(4));
    expect(result.auc).toBeGreaterThan(0.9);
    expect(result.passed).toBe(false);
    const strongest = [...result.weights].sort((a, b) => Math.abs(b.weight) - Math.abs(a.weight))[0];
    expect(strongest.feature).toBe(SESSION_FEATURES[0]);
    expect(strongest.weight).toBeGreaterThan(0);
  });

  it('gives the same result under the same seed', () => {
    const rng = createRng(5);
    const a = gaussian(300, 0.5, rng);
    const b = gaussian(300, 0, rng);
    expect(twoSampleAuc(a, b, createRng(9))).toEqual(twoSampleAuc(a, b, createRng(9)));
  });

  it('is NaN and fails with fewer than two sessions in a log', () => {
    const result = twoSampleAuc(gaussian(1, 0, createRng(1)), gaussian(50, 0, createRng(2)), createRng(3));
    expect(result.auc).toBeNaN();
    expect(result.passed).toBe(false);
  });

  it('cannot tell two logs of one simulator apart, and tells the hour-cut embedded log from a simulated one', () => {
    const store = defaultEventStore();
    const split = splitByDay(store);
    const model = fitSimulator(store, split.train);
    const shoppers = new ShopperModel(model, store);
    const simulate = (seed: number) => {
      const builder = new EventStoreBuilder();
      simulateOrganicLog(shoppers, 2, createRng(seed), builder);
      const log = builder.build();
      return sessionFeatures(log, { start: log.minTime, end: log.maxTime + 1 }, model.session.gapSeconds);
    };
    const same = twoSampleAuc(simulate(1), simulate(2), createRng(0));
    expect(same.real).toBeGreaterThan(500);
    expect(Math.abs(same.auc - 0.5)).toBeLessThan(0.1);
    // The embedded data's times are cut to the hour: every gap inside a real session is 0 s, every simulated one ≥ 1 s.
    const real = sessionFeatures(store, { start: split.train.start, end: split.train.end }, model.session.gapSeconds);
    expect(twoSampleAuc(real, simulate(1), createRng(0)).auc).toBeGreaterThan(0.9);
  });
});
