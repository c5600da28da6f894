import { describe, expect, it } from 'vitest';
import { DqnAgent } from '../../src/agents/dqn/dqn-agent.js';
import { fitAgent } from '../../src/agents/registry.js';
import { ErrorCode, isRecGymError } from '../../src/core/errors.js';
import { createRng } from '../../src/core/rng.js';
import { defaultEventStore, makeVectorEnv } from '../../src/env/registry.js';
import type { VectorSimulatorEnv } from '../../src/env/vector-simulator-env.js';
import { evaluateOnline } from '../../src/eval/online.js';
import { runOnlineComparison } from '../../src/run/online-compare.js';

const store = defaultEventStore();

function simEnv(seed: number): VectorSimulatorEnv {
  return makeVectorEnv<VectorSimulatorEnv>('Tianchi-Sim-v0', { store, numEnvs: 8, seed });
}

describe('evaluateOnline', () => {
  it('plays one session per shopper, the same under the same seed', async () => {
    const env = simEnv(0);
    const agent = await fitAgent('popularity', store, env.setup.shoppers.model.trainWindow, createRng(0));
    const a = await evaluateOnline(agent, env, 3);
    const b = await evaluateOnline(agent, env, 3);
    const c = await evaluateOnline(agent, env, 4);
    env.close();
    expect(a.lengths.length).toBe(env.numEpisodes);
    expect(Math.min(...a.lengths)).toBeGreaterThanOrEqual(1);
    for (let e = 0; e < a.lengths.length; e++) {
      expect(a.accepted[e]).toBeLessThanOrEqual(a.lengths[e]);
      expect(a.purchases[e]).toBeLessThanOrEqual(a.allPurchases[e]);
      if (!Number.isNaN(a.returnChances[e])) expect(a.returnChances[e]).toBeGreaterThan(0);
    }
    expect(Array.from(b.returns)).toEqual(Array.from(a.returns));
    expect(Array.from(c.returns)).not.toEqual(Array.from(a.returns));
  });

  it("gets more recommendations accepted by showing the shopper's own recent items than random ones", async () => {
    const env = simEnv(0);
    const train = env.setup.shoppers.model.trainWindow;
    const accepted = async (name: string) => {
      const s = await evaluateOnline(await fitAgent(name, store, train, createRng(0)), env, 1);
      return s.accepted.reduce((x, y) => x + y, 0) / s.lengths.reduce((x, y) => x + y, 0);
    };
    const recent = await accepted('recent');
    const random = await accepted('random');
    env.close();
    expect(recent).toBeGreaterThan(random + 0.05);
  });
});

describe('runOnlineComparison', () => {
  it('pairs sessions: an agent against its twin differs by exactly 0, and every seed is reported', async () => {
    const report = await runOnlineComparison({
      store,
      envId: 'Tianchi-Sim-v0',
      seeds: [0, 1],
      numEnvs: 8,
      resamples: 50,
      variants: [
        { name: 'a', agent: 'popularity' },
        { name: 'b', agent: 'popularity' },
        { name: 'random', agent: 'random' },
      ],
    });
    expect(report.shoppers).toBeGreaterThan(100);
    expect(report.purchaseReward).toBeCloseTo(0.8);
    const twin = report.diffs.find((d) => d.a === 'a' && d.b === 'b');
    expect(twin?.episodeReturn).toEqual({ mean: 0, lo: 0, hi: 0 });
    expect(twin?.bySeed).toEqual([0, 0]);
    for (const row of report.rows) {
      expect(row.returnBySeed).toHaveLength(2);
      expect(row.episodeReturn.lo).toBeLessThanOrEqual(row.episodeReturn.mean);
      expect(row.episodeReturn.hi).toBeGreaterThanOrEqual(row.episodeReturn.mean);
    }
    const other = report.diffs.find((d) => d.a === 'a' && d.b === 'random');
    expect(other?.episodeReturn.mean).not.toBe(0);
  });
});

describe('DqnAgent.trainInSimulator', () => {
  const config = { backend: 'wasm', itemDim: 8, hiddenSize: 8, historyLength: 3, numEnvs: 8, batchSize: 32, bufferSize: 2000, learningStarts: 64, numCandidates: 20, supervisedNegatives: 8, epochs: 1, maxStepsPerEpoch: 40, sequenceMode: 'window' } as const;

  it('refuses session sequences, which assume one event per step', async () => {
    const agent = new DqnAgent({ ...config, sequenceMode: 'session' });
    const error = await agent.trainInSimulator({ store }, createRng(0)).catch((e: unknown) => e);
    expect(isRecGymError(error) && error.code).toBe(ErrorCode.BAD_OPTION);
  });

  it('learns from simulated sessions, the same under the same seed', async () => {
    const scores = async (seed: number) => {
      const agent = new DqnAgent(config);
      const [stats] = await agent.trainInSimulator({ store }, createRng(seed));
      expect(stats.gradientSteps).toBeGreaterThan(0);
      expect(Number.isFinite(stats.loss)).toBe(true);
      const env = simEnv(0);
      const { observations } = env.reset({ seed: 0 });
      const out = new Float64Array(8 * 20);
      await agent.scoreCandidates(observations.states, observations.candidates, 20, out);
      env.close();
      agent.dispose();
      return Array.from(out);
    };
    const a = await scores(1);
    expect(await scores(1)).toEqual(a);
    expect(await scores(2)).not.toEqual(a);
  });
});
