import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../../src/agents/dqn/backend.js';
import type { DqnConfigInput } from '../../../src/agents/dqn/config.js';
import { DqnAgent } from '../../../src/agents/dqn/dqn-agent.js';
import { createRng } from '../../../src/core/rng.js';
import type { EventStore } from '../../../src/data/event-store.js';
import { splitByDay } from '../../../src/data/split.js';
import { identityStore } from './fixtures.js';

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
  dayByDay: true,
  contextNegatives: 2,
  supervisedEmbeddings: false,
};

function testStates(store: EventStore) {
  const split = splitByDay(store);
  const users: number[] = [];
  const positions: number[] = [];
  for (let p = 0; p < store.length; p++) {
    if (store.times[p] >= split.test.start && p > store.userOffsets[store.users[p]]) {
      users.push(store.users[p]);
      positions.push(p);
    }
  }
  return { store, users: Int32Array.from(users), positions: Int32Array.from(positions) };
}

describe('DqnAgent (context features, day by day)', () => {
  it('learns context weights, matches scoreCandidates with scoreItems and leaks no tensors', async () => {
    const store = identityStore({ numUsers: 20 });
    const agent = new DqnAgent(CONTEXT);
    await agent.fit(store, splitByDay(store).train, createRng(2));
    const learner = agent.learner!;
    expect(learner.context).toBeDefined();
    expect(Array.from(learner.contextWeights).some((w) => w !== 0)).toBe(true);
    const batch = testStates(store);
    const n = batch.users.length;
    const N = store.numItems;
    const all = Int32Array.from({ length: n * N }, (_, k) => k % N);
    const viaCandidates = new Float64Array(n * N);
    agent.scoreCandidates(batch, all, N, viaCandidates);
    const { tf } = await initBackend('wasm');
    const dense = new Float64Array(n * N);
    agent.scoreItems(batch, dense);
    const before = tf.memory().numTensors;
    agent.scoreItems(batch, dense);
    expect(tf.memory().numTensors).toBe(before);
    for (let k = 0; k < dense.length; k++) expect(dense[k]).toBeCloseTo(viaCandidates[k], 4);
    agent.dispose();
  }, 60_000);

  it('round-trips the context weights through a checkpoint', async () => {
    const store = identityStore({ numUsers: 20 });
    const agent = new DqnAgent(CONTEXT);
    await agent.fit(store, splitByDay(store).train, createRng(3));
    const dir = mkdtempSync(join(tmpdir(), 'recgym-dqn-context-'));
    dirs.push(dir);
    await agent.save(dir);
    const batch = testStates(store);
    const expected = new Float64Array(batch.users.length * store.numItems);
    agent.scoreItems(batch, expected);
    const loaded = await DqnAgent.load(dir, store);
    expect(Array.from(loaded.learner!.contextWeights)).toEqual(Array.from(agent.learner!.contextWeights));
    const got = new Float64Array(expected.length);
    loaded.scoreItems(batch, got);
    expect(Array.from(got)).toEqual(Array.from(expected));
    [agent, loaded].forEach((a) => a.dispose());
  }, 60_000);
});
