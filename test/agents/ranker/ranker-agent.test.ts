import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { argmaxRows } from '../../../src/agents/agent.js';
import { parseRankerConfig } from '../../../src/agents/ranker/config.js';
import { COLD_SCORE, RankerAgent, drawSegments } from '../../../src/agents/ranker/ranker-agent.js';
import { isRecGymError } from '../../../src/core/errors.js';
import { createRng } from '../../../src/core/rng.js';
import type { EventStore } from '../../../src/data/event-store.js';
import { splitByDay } from '../../../src/data/split.js';
import { candidateAndItemScores, identityStore, targetItems, testDayStates } from '../dqn/fixtures.js';
import { StateBatch } from '../../../src/data/state-batch.js';

const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

const SMALL = { epochs: 1, passesPerEpoch: 2, batchSize: 64, uniformNegatives: 8 };

async function fitted(store: EventStore, seed: number, config: Record<string, unknown> = SMALL): Promise<RankerAgent> {
  const agent = new RankerAgent(config);
  await agent.fit(store, splitByDay(store).train, createRng(seed));
  return agent;
}

describe('parseRankerConfig', () => {
  it('fills defaults and names a bad field', () => {
    expect(parseRankerConfig({}).batchSize).toBe(256);
    expect(() => parseRankerConfig({ learningRate: -1 })).toThrow(/learningRate/);
    expect(() => parseRankerConfig({ itemDim: 8 })).toThrow(/itemDim/);
    expect(() => parseRankerConfig({ historyFeatures: false, contextFeatures: false })).toThrow(/nothing to rank by/);
  });
});

describe('drawSegments', () => {
  it('fills the batch with runs of up to segmentLength consecutive transitions that stop at an episode end', () => {
    // Two episodes: positions 10..14 and 20..22; runs start at the drawn indices 0, 3, 6, 7.
    const positions = Int32Array.of(10, 11, 12, 13, 14, 20, 21, 22);
    const isLast = Uint8Array.of(0, 0, 0, 0, 1, 0, 0, 1);
    const starts = [0, 3, 6, 7];
    const rng = { ...createRng('unused'), nextInt: () => starts.shift() as number };
    const out = new Int32Array(8);
    drawSegments(positions, isLast, 3, rng, out);
    expect(Array.from(out)).toEqual([10, 11, 12, 13, 14, 21, 22, 22]);
  });
});

describe('RankerAgent', () => {
  describe('#fit', () => {
    it('learns the identity recommender from the dated transitions: far above random', async () => {
      const store = identityStore();
      const agent = await fitted(store, 0, { ...SMALL, epochs: 2 });
      const batch = testDayStates(store);
      const n = batch.users.length;
      const scores = new Float64Array(n * store.numItems);
      agent.scoreItems(batch, scores);
      const best = argmaxRows(scores, n, store.numItems, createRng('ties'));
      const targets = targetItems(store, batch);
      let hits = 0;
      for (let i = 0; i < n; i++) if (best[i] === targets[i]) hits++;
      expect(hits / n).toBeGreaterThan(0.5); // random: 1 / 31
    });

    it('gives the same weights and scores for the same seed, others for another', async () => {
      const store = identityStore({ numUsers: 20 });
      const [a, b, c] = await Promise.all([fitted(store, 5), fitted(store, 5), fitted(store, 6)]);
      expect(Array.from(b.historyWeights)).toEqual(Array.from(a.historyWeights));
      expect(Array.from(b.contextWeights)).toEqual(Array.from(a.contextWeights));
      expect(Array.from(c.contextWeights)).not.toEqual(Array.from(a.contextWeights));
    });

    it('reports an epoch per config epoch with its loss and gradient steps', async () => {
      const store = identityStore({ numUsers: 20 });
      const agent = new RankerAgent({ ...SMALL, epochs: 2 });
      const seen: number[] = [];
      const stats = await agent.train(store, splitByDay(store).train, createRng(1), { onEpoch: (s) => void seen.push(s.epoch) });
      expect(seen).toEqual([0, 1]);
      for (const s of stats) {
        expect(s.gradientSteps).toBeGreaterThan(0);
        expect(s.transitions).toBe(s.gradientSteps * 64);
        expect(Number.isFinite(s.loss) && s.loss > 0).toBe(true);
      }
    });
  });

  describe('#scoreItems', () => {
    it('matches scoreCandidates and scores items outside the training window with COLD_SCORE', async () => {
      const store = identityStore({ numUsers: 20 });
      const split = splitByDay(store);
      const agent = new RankerAgent(SMALL);
      await agent.fit(store, { start: split.train.start, end: split.train.end - 86_400 }, createRng(1));
      const batch = testDayStates(store);
      const N = store.numItems;
      const { viaCandidates, dense } = await candidateAndItemScores(agent, batch);
      for (let k = 0; k < dense.length; k++) expect(dense[k]).toBeCloseTo(viaCandidates[k], 6);
      const out = new Float64Array(1);
      agent.scoreCandidates(batch.subarray(0, 1), Int32Array.of(N + 3), 1, out);
      expect(out[0]).toBe(COLD_SCORE);
    });

    it('throws RESET_NEEDED before fit', () => {
      const store = identityStore({ numUsers: 2 });
      try {
        new RankerAgent().scoreItems(StateBatch.before(store, Int32Array.of(0), Int32Array.of(1)), new Float64Array(store.numItems));
        expect.unreachable();
      } catch (error) {
        expect(isRecGymError(error, 'RECGYM_ERR_RESET_NEEDED')).toBe(true);
      }
    });
  });

  describe('#save / load', () => {
    it('round-trips a checkpoint exactly', async () => {
      const store = identityStore({ numUsers: 20 });
      const agent = await fitted(store, 3);
      const dir = mkdtempSync(join(tmpdir(), 'recgym-ranker-'));
      dirs.push(dir);
      await agent.save(dir);
      const loaded = await RankerAgent.load(dir, store);
      const batch = testDayStates(store);
      const expected = new Float64Array(batch.users.length * store.numItems);
      const got = new Float64Array(expected.length);
      agent.scoreItems(batch, expected);
      loaded.scoreItems(batch, got);
      expect(Array.from(got)).toEqual(Array.from(expected));
    });

    it('refuses a bad manifest, a non-finite weight and another data set by name (BAD_CHECKPOINT)', async () => {
      const store = identityStore({ numUsers: 20 });
      const dir = mkdtempSync(join(tmpdir(), 'recgym-ranker-bad-'));
      dirs.push(dir);
      const refusal = async (s: EventStore = store) => {
        try {
          await RankerAgent.load(dir, s);
        } catch (error) {
          expect(isRecGymError(error, 'RECGYM_ERR_BAD_CHECKPOINT')).toBe(true);
          return (error as Error).message;
        }
        return expect.unreachable();
      };
      expect(await refusal()).toMatch(/expected a JSON manifest/);
      await (await fitted(store, 3)).save(dir);
      const path = join(dir, 'manifest.json');
      const good = readFileSync(path, 'utf8');
      writeFileSync(path, good.replace('"recgym-ranker/2"', '"recgym-dqn/3"'));
      expect(await refusal()).toMatch(/format/);
      writeFileSync(path, good.replace('"recgym-ranker/2"', '"recgym-ranker/1"'));
      expect(await refusal()).toMatch(/expected format recgym-ranker\/2, actual recgym-ranker\/1 \(written by another version of recgym: retrain/);
      const manifest = JSON.parse(good) as { contextWeights: unknown[] };
      manifest.contextWeights[2] = 'NaN';
      writeFileSync(path, JSON.stringify(manifest));
      expect(await refusal()).toMatch(/contextWeights\.2/);
      writeFileSync(path, good);
      expect(await refusal(identityStore({ numItems: 37, numUsers: 20 }))).toMatch(/items: expected 31 \(the training data's\), actual 37/);
      // A training window edited by hand no longer matches the data the weights were trained on.
      const edited = JSON.parse(good) as { data: { train: { start: number; end: number } } };
      edited.data.train.end = edited.data.train.start + 3600;
      writeFileSync(path, JSON.stringify(edited));
      expect(await refusal()).toMatch(/another data set than the checkpoint's: training window .*: expected \d+ events, actual \d+/);
    });
  });
});
