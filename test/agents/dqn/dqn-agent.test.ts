import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { argmaxRows } from '../../../src/agents/agent.js';
import { COLD_SCORE, DqnAgent } from '../../../src/agents/dqn/dqn-agent.js';
import { initBackend } from '../../../src/agents/dqn/backend.js';
import { RankerAgent } from '../../../src/agents/ranker/ranker-agent.js';
import type { DqnConfigInput } from '../../../src/agents/dqn/config.js';
import { isRecGymError } from '../../../src/core/errors.js';
import { createRng, fork } from '../../../src/core/rng.js';
import { EventStoreBuilder, type EventStore } from '../../../src/data/event-store.js';
import { splitByDay } from '../../../src/data/split.js';
import { identityStore, targetItems, testDayStates } from './fixtures.js';
import { StateBatch } from '../../../src/data/state-batch.js';

const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

/** Test-day states of the store and 20 candidates each (the logged next item + 19 distinct others). */
function testCandidates(store: EventStore, C: number, seed: string) {
  const split = splitByDay(store);
  const batch = testDayStates(store);
  const { users } = batch;
  const targets = targetItems(store, batch);
  const rng = createRng(seed);
  const candidates = new Int32Array(users.length * C);
  const positiveIndex = new Int32Array(users.length);
  for (let i = 0; i < users.length; i++) {
    const positive = targets[i];
    const chosen = new Set([positive]);
    while (chosen.size < C) chosen.add(rng.nextInt(store.numItems));
    const list = [...chosen];
    for (let j = list.length - 1; j > 0; j--) {
      const k = rng.nextInt(j + 1);
      [list[j], list[k]] = [list[k], list[j]];
    }
    candidates.set(list, i * C);
    positiveIndex[i] = list.indexOf(positive);
  }
  return { batch, candidates, positiveIndex, split };
}

const SMALL: DqnConfigInput = {
  backend: 'wasm',
  itemDim: 16,
  hiddenSize: 16,
  historyLength: 3,
  segmentLength: 4,
  contextLength: 2,
  numEnvs: 16,
  batchSize: 64,
  bufferSize: 5000,
  learningStarts: 256,
  numCandidates: 10,
  learningRate: 3e-3,
  targetUpdateInterval: 100,
  supervisedNegatives: 16,
};

async function hitRate(agent: DqnAgent, store: EventStore): Promise<number> {
  const C = 20;
  const { batch, candidates, positiveIndex } = testCandidates(store, C, 'eval');
  const scores = new Float64Array(batch.users.length * C);
  await agent.scoreCandidates(batch, candidates, C, scores);
  const chosen = argmaxRows(scores, batch.users.length, C, createRng('ties'));
  let hits = 0;
  for (let i = 0; i < chosen.length; i++) if (chosen[i] === positiveIndex[i]) hits++;
  return hits / chosen.length;
}

describe('DqnAgent', () => {
  describe('#fit', () => {
    it('learns the identity recommender as a plain DQN (no supervised head, no history features): far above random', async () => {
      const store = identityStore();
      const agent = new DqnAgent({ ...SMALL, epochs: 12, supervisedHead: false, historyFeatures: false, sequenceMode: 'window' });
      const stats = await agent.train(store, splitByDay(store).train, createRng(0));
      expect(stats).toHaveLength(12);
      const rate = await hitRate(agent, store);
      expect(rate).toBeGreaterThan(0.5); // random: 1 / 20 = 0.05
      agent.dispose();
    }, 120_000);

    it('learns it in session mode with the auxiliary head and Q features, ranking by Q', async () => {
      const store = identityStore();
      const agent = new DqnAgent({ ...SMALL, epochs: 10, sequenceMode: 'session' });
      await agent.fit(store, splitByDay(store).train, createRng(0));
      const rate = await hitRate(agent, store);
      expect(rate).toBeGreaterThan(0.4); // random: 0.05
      agent.dispose();
    }, 120_000);

    it("starts from the feature ranker's weights with featureInit 'ranker' (the ranker's, fitted on the same window with the DQN's seeded draws, in Q's order; learning rates ~0 keep them)", async () => {
      const store = identityStore({ numUsers: 20 });
      const train = splitByDay(store).train;
      const lines: string[] = [];
      const still = { epochs: 1, maxStepsPerEpoch: 2, learningRate: 1e-12, featureLearningRate: 1e-12 };
      const agent = new DqnAgent({ ...SMALL, ...still, featureInit: 'ranker' });
      await agent.train(store, train, createRng(5), { log: (line) => lines.push(line) });
      const learner = agent.learner as NonNullable<typeof agent.learner>;
      expect(learner.gradientSteps).toBeGreaterThan(0);
      const ranker = new RankerAgent({});
      // The DQN's seeded draws, in order: its env's seed, its learner, its ranker.
      const rng = createRng(5);
      fork(rng, 'env');
      fork(rng, 'learner');
      await ranker.fit(store, train, fork(rng, 'ranker'));
      const expected = Float32Array.from([...ranker.historyWeights, ...ranker.contextWeights]);
      expect(expected.some((w) => w !== 0)).toBe(true);
      for (const net of [learner.online, learner.target]) {
        const weights = learner.featureWeights(net);
        expect(weights).toHaveLength(expected.length);
        weights.forEach((w, j) => expect(w).toBeCloseTo(expected[j], 6));
      }
      expect(lines.some((line) => line.startsWith('dqn: feature weights from the ranker fitted on the training window'))).toBe(true);
      expect(() => learner.setFeatureWeights(new Float32Array(3))).toThrow(`setFeatureWeights: expected ${expected.length} weights, actual 3`);
      agent.dispose();
      const plain = new DqnAgent({ ...SMALL, ...still });
      await plain.train(store, train, createRng(5));
      const plainLearner = plain.learner as NonNullable<typeof plain.learner>;
      expect(plainLearner.featureWeights(plainLearner.online).every((w) => Math.abs(w) < 1e-6)).toBe(true);
      plain.dispose();
    }, 120_000);

    it('ranks by the feature term alone with qItemTerm off: between two candidates Q differs by w · their features (with the item term it does not)', async () => {
      const store = identityStore({ numUsers: 20 });
      const C = 6;
      const { batch, candidates } = testCandidates(store, C, 'item-term');
      // Q(s, c) − Q(s, c0) − w · (features(s, c) − features(s, c0)), largest over states and candidates, by candidates and by the full ranking.
      const residual = async (qItemTerm: boolean) => {
        const agent = new DqnAgent({ ...SMALL, epochs: 2, sequenceMode: 'window', qItemTerm });
        await agent.fit(store, splitByDay(store).train, createRng(3));
        const learner = agent.learner as NonNullable<typeof agent.learner>;
        const w = learner.featureWeights(learner.online);
        const scores = new Float64Array(batch.size * C);
        agent.scoreCandidates(batch, candidates, C, scores);
        const full = new Float64Array(batch.size * store.numItems);
        agent.scoreItems(batch, full);
        let largest = 0;
        for (let i = 0; i < batch.size; i++) {
          learner.loadFeatures(batch, i);
          const first = candidates[i * C];
          const firstDot = learner.featureDot(first, w);
          for (let j = 1; j < C; j++) {
            const item = candidates[i * C + j];
            const expected = learner.featureDot(item, w) - firstDot;
            largest = Math.max(largest, Math.abs(scores[i * C + j] - scores[i * C] - expected));
            largest = Math.max(largest, Math.abs(full[i * store.numItems + item] - full[i * store.numItems + first] - expected));
          }
        }
        agent.dispose();
        return largest;
      };
      expect(await residual(false)).toBeLessThan(1e-4);
      expect(await residual(true)).toBeGreaterThan(1e-3);
    }, 120_000);

    it('gives the same scores for the same seed', async () => {
      const store = identityStore({ numUsers: 20 });
      const scores = async () => {
        const agent = new DqnAgent({ ...SMALL, epochs: 1 });
        await agent.fit(store, splitByDay(store).train, createRng(7));
        const { batch } = testCandidates(store, 5, 'x');
        const out = new Float64Array(batch.users.length * store.numItems);
        agent.scoreItems(batch, out);
        agent.dispose();
        return out;
      };
      expect(Array.from(await scores())).toEqual(Array.from(await scores()));
    }, 60_000);
  });

  describe('#scoreItems', () => {
    it('matches scoreCandidates, scores cold items with COLD_SCORE and leaks no tensors', async () => {
      const store = identityStore({ numUsers: 20 });
      const agent = new DqnAgent({ ...SMALL, epochs: 1 });
      // Train on days before the last two, so items first seen on the last days are cold.
      const split = splitByDay(store);
      await agent.fit(store, { start: split.train.start, end: split.train.end - 86_400 }, createRng(1));
      const { batch } = testCandidates(store, 5, 'x');
      const n = batch.users.length;
      const all = Int32Array.from({ length: n * store.numItems }, (_, k) => k % store.numItems);
      const viaCandidates = new Float64Array(n * store.numItems);
      agent.scoreCandidates(batch, all, store.numItems, viaCandidates);
      const { tf } = await initBackend('wasm');
      const dense = new Float64Array(n * store.numItems);
      agent.scoreItems(batch, dense); // caches the catalogue on the device
      const before = tf.memory().numTensors;
      agent.scoreItems(batch, dense);
      expect(tf.memory().numTensors).toBe(before);
      for (let k = 0; k < dense.length; k++) expect(dense[k]).toBeCloseTo(viaCandidates[k], 4);
      const outOfRange = new Float64Array(1);
      agent.scoreCandidates(batch.subarray(0, 1), Int32Array.from([store.numItems + 5]), 1, outOfRange);
      expect(outOfRange[0]).toBe(COLD_SCORE);
      agent.dispose();
    }, 60_000);

    it('ranks an item new on the test day that the state already touched by its history terms, not as cold', async () => {
      // The identity log, plus one user who touches a brand-new raw item twice on the test day.
      const base = identityStore({ numUsers: 20 });
      const builder = new EventStoreBuilder({ expectedEvents: base.length + 3 });
      for (let p = 0; p < base.length; p++) {
        builder.append(base.userIds.rawOf(base.users[p]), base.itemIds.rawOf(base.items[p]), base.categoryIds.rawOf(base.categories[p]), base.behaviors[p] as 1 | 2 | 3 | 4, base.times[p]);
      }
      const lastDay = Math.floor(base.maxTime / 86_400) * 86_400;
      for (const [item, hour] of [[9001, 1], [9002, 2], [9001, 3]] as const) builder.append(999, item, 1, 3, lastDay + hour * 3600);
      const store = builder.build();
      // With and without context features in Q: the feature term needs no embedding.
      for (const contextFeatures of [true, false]) {
        const agent = new DqnAgent({ ...SMALL, epochs: 1, contextFeatures });
        await agent.fit(store, splitByDay(store).train, createRng(1));
        const user = store.userIds.get(999);
        const position = store.userOffsets[user + 1] - 1; // the second 9001: the state holds 9001 and 9002
        const fresh = store.itemIds.get(9001);
        const batch = StateBatch.before(store, Int32Array.of(user), Int32Array.of(position));
        const candidates = Int32Array.of(fresh, store.numItems + 3);
        const scores = new Float64Array(2);
        agent.scoreCandidates(batch, candidates, 2, scores);
        expect(scores[0]).toBeGreaterThan(COLD_SCORE);
        expect(Number.isFinite(scores[0])).toBe(true);
        expect(scores[1]).toBe(COLD_SCORE);
        const dense = new Float64Array(store.numItems);
        agent.scoreItems(batch, dense);
        expect(dense[fresh]).toBeCloseTo(scores[0], 4);
        agent.dispose();
      }
    }, 60_000);

    it("ranks by Q: changing Q's weights changes the ranking, changing the auxiliary head's does not", async () => {
      const store = identityStore({ numUsers: 20 });
      const agent = new DqnAgent({ ...SMALL, epochs: 1 });
      await agent.fit(store, splitByDay(store).train, createRng(4));
      const { batch } = testCandidates(store, 5, 'x');
      const score = () => {
        const out = new Float64Array(batch.users.length * store.numItems);
        agent.scoreItems(batch, out);
        return Array.from(out);
      };
      const before = score();
      const learner = agent.learner!;
      const online = learner.online;
      const { tf } = await initBackend('wasm');
      const noise = createRng('noise');
      // The auxiliary head's output table and projection: trained, never ranked with.
      const outputs = online.outputs!;
      for (let k = 0; k < outputs.values.length; k++) outputs.values[k] = noise.next() * 10 - 5;
      outputs.version++;
      const ws = online.ws!;
      tf.tidy(() => ws.assign(tf.randomNormal(ws.shape, 0, 5, 'float32', 1)));
      expect(score()).toEqual(before);
      // Q's projection of the state: the ranking moves.
      tf.tidy(() => online.wq.assign(tf.randomNormal(online.wq.shape, 0, 5, 'float32', 2)));
      const afterQ = score();
      expect(afterQ).not.toEqual(before);
      // Q's feature weights alone move it too.
      const wf = online.wf;
      tf.tidy(() => wf.assign(tf.randomNormal(wf.shape, 0, 5, 'float32', 3)));
      learner.gradientSteps++; // the cached copy of wf is refreshed per gradient step
      expect(score()).not.toEqual(afterQ);
      agent.dispose();
    }, 60_000);

    it('throws RESET_NEEDED before fit', () => {
      const store = identityStore({ numUsers: 2 });
      const agent = new DqnAgent(SMALL);
      try {
        agent.scoreItems(StateBatch.before(store, Int32Array.of(0), Int32Array.of(1)), new Float64Array(store.numItems));
        expect.unreachable();
      } catch (error) {
        expect(isRecGymError(error, 'RECGYM_ERR_RESET_NEEDED')).toBe(true);
      }
    });
  });

  describe('#save / load', () => {
    it('round-trips a checkpoint on the same backend exactly and on the CPU backend closely', async () => {
      const store = identityStore({ numUsers: 20 });
      const agent = new DqnAgent({ ...SMALL, epochs: 1 });
      await agent.fit(store, splitByDay(store).train, createRng(3));
      const dir = mkdtempSync(join(tmpdir(), 'recgym-dqn-'));
      dirs.push(dir);
      await agent.save(dir);
      const { batch } = testCandidates(store, 5, 'x');
      const expected = new Float64Array(batch.users.length * store.numItems);
      agent.scoreItems(batch, expected);
      const same = await DqnAgent.load(dir, store);
      const got = new Float64Array(expected.length);
      same.scoreItems(batch, got);
      expect(Array.from(got)).toEqual(Array.from(expected));
      const onCpu = await DqnAgent.load(dir, store, { backend: 'cpu' });
      expect(onCpu.backend).toBe('cpu');
      const cpuScores = new Float64Array(expected.length);
      onCpu.scoreItems(batch, cpuScores);
      for (let k = 0; k < expected.length; k++) expect(cpuScores[k]).toBeCloseTo(expected[k], 4);
      [agent, same, onCpu].forEach((a) => a.dispose());
      await initBackend('wasm');
    }, 60_000);

    it('rejects a missing, foreign or truncated checkpoint with BAD_CHECKPOINT', async () => {
      const store = identityStore({ numUsers: 20 });
      const dir = mkdtempSync(join(tmpdir(), 'recgym-dqn-bad-'));
      dirs.push(dir);
      await expect(DqnAgent.load(dir, store)).rejects.toSatisfy((e) => isRecGymError(e, 'RECGYM_ERR_BAD_CHECKPOINT'));
      writeFileSync(join(dir, 'manifest.json'), JSON.stringify({ format: 'other' }));
      writeFileSync(join(dir, 'weights.bin'), '');
      await expect(DqnAgent.load(dir, store)).rejects.toThrow(/expected format recgym-dqn\/4/);
      const agent = new DqnAgent({ ...SMALL, epochs: 1, maxStepsPerEpoch: 2 });
      await agent.fit(store, splitByDay(store).train, createRng(3));
      await agent.save(dir);
      writeFileSync(join(dir, 'weights.bin'), Buffer.alloc(8));
      await expect(DqnAgent.load(dir, store)).rejects.toThrow(/weights.bin: expected \d+ bytes, actual 8/);
      const other = identityStore({ numItems: 37, numUsers: 20 });
      await agent.save(dir);
      await expect(DqnAgent.load(dir, other)).rejects.toThrow(/items: expected 31 \(the training data.s\), actual 37/);
      agent.dispose();
    }, 60_000);
  });
});
