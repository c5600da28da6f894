import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../../src/agents/dqn/backend.js';
import type { DqnConfigInput } from '../../../src/agents/dqn/config.js';
import { DqnAgent } from '../../../src/agents/dqn/dqn-agent.js';
import { createRng } from '../../../src/core/rng.js';
import { splitByDay } from '../../../src/data/split.js';
import { NUM_CONTEXT_FEATURES } from '../../../src/agents/features/context-features.js';
import { NUM_HISTORY_FEATURES } from '../../../src/agents/features/history-features.js';
import { candidateAndItemScores, identityStore, testDayStates } from './fixtures.js';

const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

const CONTEXT: DqnConfigInput = {
  backend: 'wasm',
  epochs: 1,
  itemDim: 8,
  hiddenSize: 8,
  historyLength: 3,
  segmentLength: 4,
  contextLength: 2,
  numEnvs: 16,
  batchSize: 32,
  bufferSize: 2000,
  learningStarts: 128,
  numCandidates: 6,
  supervisedNegatives: 8,
  contextFeatures: true,
};


describe('DqnAgent (context features in Q)', () => {
  it('learns Q weights of the context features, matches scoreCandidates with scoreItems and leaks no tensors', async () => {
    const store = identityStore({ numUsers: 20 });
    const agent = new DqnAgent(CONTEXT);
    await agent.fit(store, splitByDay(store).train, createRng(2));
    const learner = agent.learner!;
    expect(learner.context).toBeDefined();
    expect(learner.numFeatures).toBe(NUM_HISTORY_FEATURES + NUM_CONTEXT_FEATURES);
    const contextWeights = learner.featureWeights(learner.online).subarray(NUM_HISTORY_FEATURES);
    expect(Array.from(contextWeights).some((w) => w !== 0)).toBe(true);
    const batch = testDayStates(store);
    const { tf } = await initBackend('wasm');
    const { viaCandidates, dense } = await candidateAndItemScores(agent, batch);
    const before = tf.memory().numTensors;
    agent.scoreItems(batch, dense);
    expect(tf.memory().numTensors).toBe(before);
    for (let k = 0; k < dense.length; k++) expect(dense[k]).toBeCloseTo(viaCandidates[k], 4);
    agent.dispose();
  }, 60_000);

  it('round-trips the Q feature weights through a checkpoint', async () => {
    const store = identityStore({ numUsers: 20 });
    const agent = new DqnAgent(CONTEXT);
    await agent.fit(store, splitByDay(store).train, createRng(3));
    const dir = mkdtempSync(join(tmpdir(), 'recgym-dqn-context-'));
    dirs.push(dir);
    await agent.save(dir);
    const batch = testDayStates(store);
    const expected = new Float64Array(batch.users.length * store.numItems);
    agent.scoreItems(batch, expected);
    const loaded = await DqnAgent.load(dir, store);
    const weights = (a: DqnAgent) => Array.from(a.learner!.featureWeights(a.learner!.online));
    expect(weights(loaded)).toEqual(weights(agent));
    const got = new Float64Array(expected.length);
    loaded.scoreItems(batch, got);
    expect(Array.from(got)).toEqual(Array.from(expected));
    [agent, loaded].forEach((a) => a.dispose());
  }, 60_000);
});
