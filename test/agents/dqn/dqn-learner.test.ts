import { describe, expect, it } from 'vitest';
import { initBackend } from '../../../src/agents/dqn/backend.js';
import { parseDqnConfig, type DqnConfigInput } from '../../../src/agents/dqn/config.js';
import { DqnLearner, type TrainStats } from '../../../src/agents/dqn/dqn-learner.js';
import { bellmanTargets } from '../../../src/agents/dqn/losses.js';
import { ReplayBuffer, createReplayBatch } from '../../../src/agents/dqn/replay-buffer.js';
import { createRng } from '../../../src/core/rng.js';
import type { EventStore } from '../../../src/data/event-store.js';
import { NUM_HISTORY_FEATURES } from '../../../src/agents/features/history-features.js';
import { identityStore } from './fixtures.js';
import { StateBatch } from '../../../src/data/state-batch.js';

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

function makeLearner(store: EventStore, overrides: DqnConfigInput, seed: string, tf: Awaited<ReturnType<typeof initBackend>>['tf'], compute: 'auto' | 'tf-ops' = 'auto') {
  const config = parseDqnConfig({ itemDim: 8, hiddenSize: 8, historyLength: 4, segmentLength: 4, contextLength: 2, batchSize: 16, numCandidates: 5, supervisedNegatives: 8, ...overrides });
  const pool = Int32Array.from({ length: store.numItems }, (_, i) => i);
  return { config, learner: new DqnLearner(tf, config, store, pool, createRng(seed), { compute }) };
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
    const nextItems = Int32Array.from(positions, (p) => store.items[p]);
    buffer.add(StateBatch.before(store, users, positions), actions, rewards, { ...pick(StateBatch.before(store, users, next)), candidates }, Uint8Array.from(users, () => (row % 7 === 6 ? 1 : 0)), new Uint8Array(E), nextItems);
  }
  return buffer;
}

/** The replay fields of a batch of requests. */
function pick(states: StateBatch): { users: Int32Array; lengths: Int32Array; times: Int32Array } {
  return { users: states.users, lengths: states.lengths, times: states.times };
}

describe('DqnLearner', () => {
  for (const backend of ['wasm', 'cpu'] as const) {
    for (const mode of ['window', 'session'] as const) {
      describe(`#trainStep (${backend}, ${mode})`, () => {
        /** Two train steps of a fresh learner; checks the second leaks no tensor and gives a finite loss. */
        const stepTwice = async (overrides: DqnConfigInput, label: string) => {
          const { tf } = await initBackend(backend);
          const store = identityStore();
          const { config, learner } = makeLearner(store, { sequenceMode: mode, ...overrides }, label, tf);
          const buffer = loggedBuffer(store, config.numCandidates);
          const rng = createRng(1);
          const batch = createReplayBatch(config.batchSize, config.numCandidates);
          const step = () => learner.trainStep(mode === 'window' ? buffer.sample(16, rng, batch) : buffer.sampleSegments(16, config.segmentLength, rng, batch));
          step();
          const before = tf.memory().numTensors;
          const stats = step();
          expect(tf.memory().numTensors).toBe(before);
          expect(Number.isFinite(stats.loss)).toBe(true);
          return { tf, config, learner, batch, before };
        };

        it('leaks no tensors across a train step and across scoring', async () => {
          const { tf, config, learner, batch, before } = await stepTwice({ doubleDqn: true, loss: 'huber', tau: 0.5 }, 'leak');
          const q = new Float32Array(16 * config.numCandidates);
          const states = new StateBatch(learner.store, batch.observations.users, batch.observations.lengths, batch.observations.times);
          learner.windowQ(learner.online, states, batch.nextObservations.candidates, config.numCandidates, q);
          expect(tf.memory().numTensors).toBe(before);
          learner.dispose();
        });

        it('leaks no tensors across a train step with context features in Q', async () => {
          const { learner } = await stepTwice({ contextFeatures: true }, 'leak-context');
          expect(Array.from(learner.featureWeights(learner.online).subarray(NUM_HISTORY_FEATURES)).some((w) => w !== 0)).toBe(true);
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

  it('learns its auxiliary losses from the stored next items, not from the log', async () => {
    const { tf } = await initBackend('cpu');
    const store = identityStore();
    const loss = (shift: number) => {
      const { config, learner } = makeLearner(store, { contextFeatures: true, auxFeatureWeight: 1 }, 'labels', tf);
      const batch = loggedBuffer(store, config.numCandidates).sample(16, createRng(2));
      // Relabel: the same states and actions, other items acted on next.
      for (let i = 0; i < batch.size; i++) batch.nextItems[i] = (batch.nextItems[i] + shift) % store.numItems;
      const stats = learner.trainStep(batch);
      learner.dispose();
      return [stats.supervisedLoss, stats.featureLoss, stats.tdLoss];
    };
    const [logged, relabelled] = [loss(0), loss(5)];
    expect(relabelled[0]).not.toBe(logged[0]);
    expect(relabelled[1]).not.toBe(logged[1]);
    expect(relabelled[2]).toBe(logged[2]);
  });

  it('learns the auxiliary feature softmax\'s logit scale with auxFeatureScale: the same first step (s = 1), then s moves and the feature loss with it', async () => {
    const { tf } = await initBackend('cpu');
    const store = identityStore();
    const run = (auxFeatureScale: boolean) => {
      const { config, learner } = makeLearner(store, { contextFeatures: true, auxFeatureWeight: 1, auxFeatureScale }, 'labels', tf);
      const buffer = loggedBuffer(store, config.numCandidates);
      const rng = createRng(4);
      const losses = [0, 1, 2].map(() => learner.trainStep(buffer.sample(16, rng)).featureLoss);
      const scale = learner.auxFeatureScale;
      learner.dispose();
      return { losses, scale };
    };
    const fixed = run(false);
    const learned = run(true);
    expect(fixed.scale).toBe(1);
    expect(learned.losses[0]).toBe(fixed.losses[0]);
    expect(learned.scale).not.toBe(1);
    expect(Number.isFinite(learned.scale)).toBe(true);
    expect(learned.losses[2]).not.toBe(fixed.losses[2]);
  });

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
      const end = store.userOffsets[u] + batch.observations.lengths[i];
      for (let p = Math.max(store.userOffsets[u], end - config.historyLength); p < end; p++) touched.add(store.items[p]);
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

describe('DqnLearner (direct WASM train step)', () => {
  /** Runs `steps` train steps from the seed's initial weights with the direct kernels on or off. */
  async function trainWith(isDirect: boolean, overrides: DqnConfigInput, steps: number, backend: 'wasm' | 'cpu' = 'wasm') {
    const { tf } = await initBackend(backend);
    const store = identityStore();
    const { config, learner } = makeLearner(store, { contextFeatures: false, ...overrides }, 'direct', tf, isDirect ? 'auto' : 'tf-ops');
    expect(learner.usesDirectKernels).toBe(isDirect);
    const buffer = loggedBuffer(store, config.numCandidates);
    const rng = createRng(5);
    const stats: TrainStats[] = [];
    for (let i = 0; i < steps; i++) {
      stats.push(learner.trainStep(config.sequenceMode === 'window' ? buffer.sample(16, rng) : buffer.sampleSegments(16, config.segmentLength, rng)));
    }
    const dense = learner.online.variables().map((v) => Float32Array.from(v.dataSync()));
    const result = { stats, dense, items: learner.online.items.values.slice(), outputs: learner.online.outputs?.values.slice() };
    learner.dispose();
    return result;
  }

  const close = (actual: ArrayLike<number>, expected: ArrayLike<number>, tolerance: number) => {
    expect(actual.length).toBe(expected.length);
    let worst = 0;
    for (let k = 0; k < expected.length; k++) worst = Math.max(worst, Math.abs(actual[k] - expected[k]));
    expect(worst).toBeLessThan(tolerance);
  };

  const cases: Array<[string, DqnConfigInput]> = [
    ['session, mse, embedding head', { sequenceMode: 'session' }],
    ['window, huber, embedding head', { sequenceMode: 'window', loss: 'huber', huberDelta: 0.5 }],
    ['session, huber, embedding head, history and context features in Q', { sequenceMode: 'session', loss: 'huber', contextFeatures: true }],
    ['window, no auxiliary head, context features only', { sequenceMode: 'window', supervisedHead: false, historyFeatures: false, contextFeatures: true }],
    ['session, no supervised head, no features', { sequenceMode: 'session', supervisedHead: false, historyFeatures: false }],
    ['session, the default config (features in Q, auxiliary head), Double DQN, Polyak', { sequenceMode: 'session', contextFeatures: true, doubleDqn: true, tau: 0.5 }],
    ['window, embedding head, Double DQN', { sequenceMode: 'window', doubleDqn: true }],
    ['session, the auxiliary feature softmax on Q feature weights', { sequenceMode: 'session', contextFeatures: true, auxFeatureWeight: 1 }],
    ['session, dueling value head, Double DQN', { sequenceMode: 'session', dueling: true, doubleDqn: true }],
    ['window, dueling value head, huber', { sequenceMode: 'window', dueling: true, loss: 'huber' }],
  ];
  for (const [name, overrides] of cases) {
    it(`matches the tf-op path on WASM: losses and updated weights after 3 steps (${name})`, async () => {
      const direct = await trainWith(true, overrides, 3);
      const ops = await trainWith(false, overrides, 3);
      for (let s = 0; s < 3; s++) {
        for (const key of ['loss', 'tdLoss', 'supervisedLoss', 'qMean', 'gradNorm'] as const) {
          expect(Math.abs(direct.stats[s][key] - ops.stats[s][key])).toBeLessThan(1e-4 * Math.max(1, Math.abs(ops.stats[s][key])));
        }
      }
      direct.dense.forEach((values, i) => close(values, ops.dense[i], 1e-4));
      close(direct.items, ops.items, 1e-4);
      if (ops.outputs) close(direct.outputs as Float32Array, ops.outputs, 1e-4);
    });
  }

  it('matches the CPU backend (session, huber, embedding head)', async () => {
    const overrides: DqnConfigInput = { sequenceMode: 'session', loss: 'huber' };
    const direct = await trainWith(true, overrides, 2);
    const cpu = await trainWith(false, overrides, 2, 'cpu');
    for (let s = 0; s < 2; s++) expect(Math.abs(direct.stats[s].loss - cpu.stats[s].loss)).toBeLessThan(1e-4 * Math.max(1, Math.abs(cpu.stats[s].loss)));
    direct.dense.forEach((values, i) => close(values, cpu.dense[i], 1e-4));
    close(direct.items, cpu.items, 1e-4);
    close(direct.outputs as Float32Array, cpu.outputs as Float32Array, 1e-4);
  });

  it('creates no tensors beyond the dense Adam updates', async () => {
    const { tf } = await initBackend('wasm');
    const store = identityStore();
    const { config, learner } = makeLearner(store, { sequenceMode: 'session', contextFeatures: false }, 'direct-kernels', tf);
    const buffer = loggedBuffer(store, config.numCandidates);
    const rng = createRng(1);
    learner.trainStep(buffer.sampleSegments(16, config.segmentLength, rng));
    const before = tf.memory().numTensors;
    const stats = learner.trainStep(buffer.sampleSegments(16, config.segmentLength, rng));
    expect(tf.memory().numTensors).toBe(before);
    expect(Number.isFinite(stats.loss) && stats.supervisedLoss > 0).toBe(true);
    learner.dispose();
  });
});
