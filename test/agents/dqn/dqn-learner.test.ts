import { describe, expect, it } from 'vitest';
import type * as TF from '@tensorflow/tfjs';
import { initBackend } from '../../../src/agents/dqn/backend.js';
import { parseDqnConfig, type DqnConfigInput } from '../../../src/agents/dqn/config.js';
import { DqnLearner, bellmanTargets, softmaxCrossEntropy, supervisedFeatureLoss } from '../../../src/agents/dqn/dqn-learner.js';
import { ReplayBuffer, createReplayBatch } from '../../../src/agents/dqn/replay-buffer.js';
import { createRng } from '../../../src/core/rng.js';
import type { EventStore } from '../../../src/data/event-store.js';
import { identityStore } from './fixtures.js';

describe('bellmanTargets', () => {
  it('bootstraps through truncation, never through termination (hand-computed)', () => {
    // Three transitions, two candidates each: continuing, terminated, truncated (terminated = 0).
    const rewards = Float32Array.from([1, 2, 0.5]);
    const terminations = Uint8Array.from([0, 1, 0]);
    const qNext = Float32Array.from([0.3, 0.7, 5, 9, -1, 4]);
    const y = bellmanTargets(rewards, terminations, qNext, 2, 0.9);
    expect(y[0]).toBeCloseTo(1 + 0.9 * 0.7, 6);
    expect(y[1]).toBe(2);
    expect(y[2]).toBeCloseTo(0.5 + 0.9 * 4, 6);
  });

  it('uses the online ranking to pick a* in Double DQN and skips absent candidates', () => {
    const y = bellmanTargets(Float32Array.from([0, 0]), Uint8Array.from([0, 0]), Float32Array.from([0.3, 0.7, -Infinity, -Infinity]), 2, 0.5, undefined, Float32Array.from([2, 1, -Infinity, -Infinity]));
    expect(y[0]).toBeCloseTo(0.15, 6);
    expect(y[1]).toBe(0);
  });
});

function makeLearner(store: EventStore, overrides: DqnConfigInput, seed: string, tf: Awaited<ReturnType<typeof initBackend>>['tf']) {
  const config = parseDqnConfig({ itemDim: 8, hiddenSize: 8, historyLength: 4, segmentLength: 4, contextLength: 2, batchSize: 16, numCandidates: 5, supervisedNegatives: 8, ...overrides });
  const pool = Int32Array.from({ length: store.numItems }, (_, i) => i);
  return { config, learner: new DqnLearner(tf, config, store, pool, createRng(seed)) };
}

/** A buffer of logged transitions of the identity store (each slot walks one user). */
function loggedBuffer(store: EventStore, C: number): ReplayBuffer {
  const E = 4;
  const buffer = new ReplayBuffer({ capacity: 200, numEnvs: E, numCandidates: C });
  const rng = createRng('log');
  for (let row = 0; row < 20; row++) {
    const users = Int32Array.from({ length: E }, (_, e) => e);
    const positions = Int32Array.from(users, (u) => store.userOffsets[u] + 1 + row);
    const next = Int32Array.from(positions, (p) => p + 1);
    const candidates = Int32Array.from({ length: E * C }, (_, k) => (k % C === 0 ? store.items[next[Math.floor(k / C)]] : rng.nextInt(store.numItems)));
    const actions = Int32Array.from(positions, (p) => (rng.next() < 0.5 ? store.items[p] : rng.nextInt(store.numItems)));
    const rewards = Float32Array.from(actions, (a, e) => (a === store.items[positions[e]] ? 1 : 0));
    buffer.add({ users, positions }, actions, rewards, { users, positions: next, candidates }, Uint8Array.from(users, () => (row % 7 === 6 ? 1 : 0)), new Uint8Array(E));
  }
  return buffer;
}

describe('supervisedFeatureLoss', () => {
  it('matches softmaxCrossEntropy and its gradient (times the weight), leaving out rows without a label', async () => {
    const { tf } = await initBackend('cpu');
    const rng = createRng('ce');
    const B = 3;
    const U = 5;
    const logits = Float32Array.from({ length: B * U }, () => rng.next() * 4 - 2);
    const labels = new Float32Array(B * U);
    labels[0 * U + 2] = 1;
    labels[2 * U + 4] = 1; // row 1 has no label
    const grad = new Float32Array(B * U);
    const loss = supervisedFeatureLoss(logits, labels, B, U, 0.5, grad);
    const x = tf.tensor2d(logits, [B, U]);
    const y = tf.tensor2d(labels, [B, U]);
    const { value, grads } = tf.valueAndGrads((...args: TF.Tensor[]) => tf.mul(softmaxCrossEntropy(tf, args[0] as TF.Tensor2D, y), 0.5) as TF.Scalar)([x]);
    expect(loss * 0.5).toBeCloseTo(value.dataSync()[0], 5);
    const expected = grads[0].dataSync();
    for (let k = 0; k < B * U; k++) expect(grad[k]).toBeCloseTo(expected[k], 5);
    for (let u = 0; u < U; u++) expect(grad[U + u]).toBe(0);
    tf.dispose([x, y, value, ...grads]);
  });
});

describe('DqnLearner', () => {
  for (const backend of ['wasm', 'cpu'] as const) {
    for (const mode of ['window', 'session'] as const) {
      describe(`#trainStep (${backend}, ${mode})`, () => {
        it('leaks no tensors across a train step and across scoring', async () => {
          const { tf } = await initBackend(backend);
          const store = identityStore();
          const { config, learner } = makeLearner(store, { sequenceMode: mode, doubleDqn: true, loss: 'huber', tau: 0.5 }, 'leak', tf);
          const buffer = loggedBuffer(store, config.numCandidates);
          const rng = createRng(1);
          const batch = createReplayBatch(config.batchSize, config.numCandidates);
          const step = () => learner.trainStep(mode === 'window' ? buffer.sample(16, rng, batch) : buffer.sampleSegments(16, config.segmentLength, rng, batch));
          step();
          const before = tf.memory().numTensors;
          const stats = step();
          expect(tf.memory().numTensors).toBe(before);
          expect(Number.isFinite(stats.loss)).toBe(true);
          const q = new Float32Array(16 * config.numCandidates);
          learner.windowQ(learner.online, batch.observations.users, batch.observations.positions, batch.nextObservations.candidates, config.numCandidates, q);
          expect(tf.memory().numTensors).toBe(before);
          learner.dispose();
        });

        it('leaks no tensors across a train step with the context term day by day', async () => {
          const { tf } = await initBackend(backend);
          const store = identityStore();
          const { config, learner } = makeLearner(store, { sequenceMode: mode, contextFeatures: true, dayByDay: true, contextNegatives: 2 }, 'leak-context', tf);
          const buffer = loggedBuffer(store, config.numCandidates);
          const rng = createRng(1);
          const batch = createReplayBatch(config.batchSize, config.numCandidates);
          const step = () => learner.trainStep(mode === 'window' ? buffer.sample(16, rng, batch) : buffer.sampleSegments(16, config.segmentLength, rng, batch));
          step();
          const before = tf.memory().numTensors;
          const stats = step();
          expect(tf.memory().numTensors).toBe(before);
          expect(Number.isFinite(stats.loss)).toBe(true);
          expect(Array.from(learner.contextWeights).some((w) => w !== 0)).toBe(true);
          learner.dispose();
        });

        it('gives identical losses and weights for the same seed', async () => {
          const { tf } = await initBackend(backend);
          const store = identityStore();
          const run = () => {
            const { config, learner } = makeLearner(store, { sequenceMode: mode }, 'same', tf);
            const buffer = loggedBuffer(store, config.numCandidates);
            const rng = createRng(2);
            const losses: number[] = [];
            for (let i = 0; i < 3; i++) {
              losses.push(learner.trainStep(mode === 'window' ? buffer.sample(16, rng) : buffer.sampleSegments(16, config.segmentLength, rng)).loss);
            }
            const items = learner.online.items.values.slice();
            const wq = Array.from(learner.online.wq.dataSync());
            learner.dispose();
            return { losses, items, wq };
          };
          const a = run();
          const b = run();
          expect(b.losses).toEqual(a.losses);
          expect(b.wq).toEqual(a.wq);
          expect(Buffer.from(b.items.buffer).equals(Buffer.from(a.items.buffer))).toBe(true);
        });
      });
    }
  }

  it('updates only the embedding rows a batch touched', async () => {
    const { tf } = await initBackend('wasm');
    const store = identityStore({ numItems: 61 });
    const { config, learner } = makeLearner(store, { supervisedHead: false }, 'sparse', tf);
    const buffer = loggedBuffer(store, config.numCandidates);
    const batch = buffer.sample(16, createRng(3));
    const touched = new Set<number>();
    for (let i = 0; i < 16; i++) {
      touched.add(batch.actions[i]);
      const u = batch.observations.users[i];
      for (let p = Math.max(store.userOffsets[u], batch.observations.positions[i] - config.historyLength); p < batch.observations.positions[i]; p++) touched.add(store.items[p]);
    }
    const before = learner.online.items.values.slice();
    learner.trainStep(batch);
    const after = learner.online.items.values;
    const width = learner.online.items.width;
    let changedRows = 0;
    for (let r = 0; r < store.numItems; r++) {
      const changed = after.subarray(r * width, (r + 1) * width).some((v, c) => v !== before[r * width + c]);
      if (changed) {
        changedRows++;
        expect(touched.has(r)).toBe(true);
      }
    }
    expect(changedRows).toBeGreaterThan(0);
    learner.dispose();
  });
});
