import { describe, expect, it } from 'vitest';
import { StateBatch } from '../../src/data/state-batch.js';
import { defaultEventStore } from '../../src/env/registry.js';
import { VectorSimulatorEnv } from '../../src/env/vector-simulator-env.js';
import { evaluateOnline, type OnlineSessions } from '../../src/eval/online.js';
import { SimulatorOracle } from '../../src/eval/simulator-oracles.js';

const store = defaultEventStore();

function mean(values: ArrayLike<number>): number {
  let sum = 0;
  for (let i = 0; i < values.length; i++) sum += values[i];
  return sum / values.length;
}

async function play(simulator: string, rule: 'own-item' | 'variety'): Promise<OnlineSessions> {
  const env = new VectorSimulatorEnv({ store, simulator, numEnvs: 64, seed: 0 });
  try {
    return await evaluateOnline(new SimulatorOracle(env, rule), env, 0);
  } finally {
    env.close();
  }
}

describe('SimulatorOracle', () => {
  it('own-item shows the shopper their organic item every step, which is always taken', async () => {
    const sessions = await play('default', 'own-item');
    let steps = 0;
    let accepted = 0;
    for (let e = 0; e < sessions.lengths.length; e++) {
      steps += sessions.lengths[e];
      accepted += sessions.accepted[e];
    }
    expect(steps).toBeGreaterThan(1000);
    expect(accepted).toBe(steps);
  });

  it('variety keeps the own item unless its category bores the shopper, then shows a fresh category', () => {
    const env = new VectorSimulatorEnv({ store, simulator: 'easily-bored', numEnvs: 32, seed: 3 });
    const oracle = new SimulatorOracle(env, 'variety', { boredThreshold: 2, freshThreshold: 1 });
    const { dynamics } = env;
    const { sessions } = dynamics;
    const category = sessions.model.itemCategory;
    let observations = env.reset({ seed: 3 }).observations;
    const scores = new Float64Array(env.numEnvs * env.numCandidates);
    const actions = env.createActions();
    let swapped = 0;
    for (let t = 0; t < 60; t++) {
      oracle.scoreCandidates(observations.states, observations.candidates, env.numCandidates, scores);
      for (let slot = 0; slot < env.numEnvs; slot++) {
        const row = scores.subarray(slot * env.numCandidates, (slot + 1) * env.numCandidates);
        expect(row.reduce((a, b) => a + b, 0)).toBe(1);
        const choice = row.indexOf(1);
        const own = dynamics.ownItemIndex(slot);
        const ownBoredom = sessions.boredom(slot, category[dynamics.candidateItem(slot, own)]);
        if (choice === own) continue;
        swapped++;
        expect(ownBoredom).toBeGreaterThanOrEqual(2);
        expect(sessions.boredom(slot, category[dynamics.candidateItem(slot, choice)])).toBeLessThan(1);
        actions[slot] = choice;
      }
      for (let slot = 0; slot < env.numEnvs; slot++) actions[slot] = scores.subarray(slot * env.numCandidates, (slot + 1) * env.numCandidates).indexOf(1);
      observations = env.step(actions).observations;
    }
    expect(swapped).toBeGreaterThan(0);
    env.close();
  });

  it("gives horizons leverage in 'easily-bored' only: variety beats the surest next click there, in return and session length, and not in the default world", async () => {
    const boredOwn = await play('easily-bored', 'own-item');
    const boredVariety = await play('easily-bored', 'variety');
    expect(mean(boredVariety.returns)).toBeGreaterThan(mean(boredOwn.returns) * 1.05);
    expect(mean(boredVariety.lengths)).toBeGreaterThan(mean(boredOwn.lengths) * 1.1);
    const own = await play('default', 'own-item');
    const variety = await play('default', 'variety');
    expect(mean(variety.returns)).toBeLessThan(mean(own.returns));
  });

  it('refuses states that are not the env slots, and slate envs', () => {
    const env = new VectorSimulatorEnv({ store, numEnvs: 4, seed: 0 });
    const oracle = new SimulatorOracle(env, 'own-item');
    const { observations } = env.reset({ seed: 0 });
    const one = new StateBatch(observations.states.log, Int32Array.of(0), Int32Array.of(0), Int32Array.of(0));
    expect(() => oracle.scoreCandidates(one, observations.candidates, env.numCandidates, new Float64Array(env.numCandidates))).toThrow("oracle-own-item: expected the env's 4 slots x 20 candidates, actual 1 x 20");
    expect(() => oracle.scoreItems()).toThrow('scores only the candidates');
    env.close();
    const slate = new VectorSimulatorEnv({ store, numEnvs: 2, mode: 'slate', slateSize: 3 });
    expect(() => new SimulatorOracle(slate, 'variety')).toThrow('expected a candidates-mode env, actual slate mode (K = 3)');
    slate.close();
  });
});
