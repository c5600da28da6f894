import { describe, expect, it } from 'vitest';
import { fitAgent } from '../../src/agents/registry.js';
import { createRng } from '../../src/core/rng.js';
import { EventStoreBuilder, SECONDS_PER_DAY } from '../../src/data/event-store.js';
import { bestOverSupport, greedyChance } from '../../src/eval/off-policy.js';
import { simulatePolicyLog, type LoggedRecommendation } from '../../src/run/policy-log.js';
import { createDefaultEventStore } from '../../src/sim/default-data.js';
import { fitSimulator } from '../../src/sim/fit-simulator.js';
import { ShopperModel } from '../../src/sim/shopper-model.js';

describe('simulatePolicyLog', () => {
  it('hands each recommendation its state before the response, and the acted item and its depth after it', async () => {
    const store = createDefaultEventStore({ users: 30, days: 4, items: 150, categories: 6 });
    const window = { start: Math.floor(store.minTime / SECONDS_PER_DAY) * SECONDS_PER_DAY, end: (Math.floor(store.maxTime / SECONDS_PER_DAY) + 1) * SECONDS_PER_DAY };
    const model = new ShopperModel(fitSimulator(store, window), store);
    const agent = await fitAgent('recent', store, window, createRng('0:agent'));
    const run = async () => {
      const states: { length: number; time: number }[] = [];
      const recommendations: LoggedRecommendation[] = [];
      const sink = new EventStoreBuilder();
      const summary = await simulatePolicyLog(
        model,
        agent,
        { days: 1, epsilon: 0.3, onState: (state) => void states.push({ length: state.lengths[0], time: state.times[0] }) },
        createRng('policy-log'),
        sink,
        (r) => recommendations.push(r),
      );
      return { states, recommendations, summary };
    };
    const { states, recommendations, summary } = await run();
    expect(states.length).toBe(summary.recommendations);
    expect(recommendations.length).toBe(summary.recommendations);
    for (const [i, r] of recommendations.entries()) {
      expect(states[i].time).toBe(r.time);
      expect(r.depth).toBeGreaterThanOrEqual(1);
      expect(r.depth).toBeLessThanOrEqual(4);
      if (r.accepted) expect(r.actedItem).toBe(r.item);
    }
    expect(recommendations.some((r) => !r.accepted && r.actedItem !== r.item)).toBe(true);
    expect(await run()).toEqual({ states, recommendations, summary });
  }, 30_000);

  it('logs the ranker with its exact propensity: the chance of the shown item among chances over the support that sum to 1', async () => {
    const store = createDefaultEventStore({ users: 30, days: 4, items: 150, categories: 6 });
    const window = { start: Math.floor(store.minTime / SECONDS_PER_DAY) * SECONDS_PER_DAY, end: (Math.floor(store.maxTime / SECONDS_PER_DAY) + 1) * SECONDS_PER_DAY };
    const model = new ShopperModel(fitSimulator(store, window), store);
    const agent = await fitAgent('ranker', store, window, createRng('0:agent'));
    const support = Int32Array.from(Array.from({ length: model.numItems }, (_, x) => x).filter((x) => model.inSupport[x] === 1));
    const epsilon = 0.2;
    const scores = new Float64Array(store.numItems);
    const chances: Float64Array[] = [];
    const recommendations: LoggedRecommendation[] = [];
    await simulatePolicyLog(
      model,
      agent,
      {
        days: 1,
        epsilon,
        onState: async (state) => {
          await agent.scoreItems(state, scores);
          const best = bestOverSupport(scores, 0, support);
          const chance = new Float64Array(store.numItems);
          for (const x of support) chance[x] = (1 - epsilon) * greedyChance(scores, 0, x, best) + epsilon / support.length;
          chances.push(chance);
        },
      },
      createRng('policy-log:ranker'),
      new EventStoreBuilder(),
      (r) => recommendations.push(r),
    );
    expect(recommendations.length).toBeGreaterThan(20);
    for (const [i, r] of recommendations.entries()) {
      expect(chances[i].reduce((a, b) => a + b, 0)).toBeCloseTo(1, 12);
      expect(r.propensity).toBeCloseTo(chances[i][r.item], 15);
    }
    expect(recommendations.filter((r) => r.propensity > 1 - epsilon).length).toBeGreaterThan(recommendations.length / 2);
  }, 30_000);
});
