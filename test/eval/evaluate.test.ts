import { describe, expect, it } from 'vitest';
import { createRng } from '../../src/core/rng.js';
import type { Agent, StateBatch } from '../../src/agents/agent.js';
import { PopularityAgent, RandomAgent, RecentAgent } from '../../src/agents/index.js';
import { MISS } from '../../src/eval/metrics.js';
import { buildTestCases } from '../../src/eval/test-cases.js';
import { evaluate, prepareEvaluation, rankCases, summarize } from '../../src/eval/evaluate.js';
import { buildReport } from '../../src/eval/report.js';
import { tinySplit, tinyStore } from './tiny-log.js';

const store = tinyStore();
const split = tinySplit(store);

/** Scores the logged positive 1 and everything else 0 (or the reverse): a perfect or a worst agent. */
function oracle(name: string, isWorst = false): Agent {
  // The oracle reads the answer from the test's own store: the batch itself cannot show it.
  const score = (b: StateBatch, i: number, item: number) => ((store.items[store.userOffsets[b.users[i]] + b.lengths[i]] === item) !== isWorst ? 1 : 0);
  return {
    name,
    fit() {},
    scoreCandidates(b, candidates, c, out) {
      for (let i = 0; i < b.users.length; i++) for (let j = 0; j < c; j++) out[i * c + j] = score(b, i, candidates[i * c + j]);
    },
    scoreItems(b, out) {
      const n = b.numItems;
      for (let i = 0; i < b.users.length; i++) for (let item = 0; item < n; item++) out[i * n + item] = score(b, i, item);
    },
  };
}

/** An agent from `create()`, fitted on the training days for each seed with the stream `"<seed>:agent"`. */
function perSeed(create: () => Agent): (seed: number) => Promise<Agent> {
  return async (seed) => {
    const agent = create();
    await agent.fit(store, split.train, createRng(`${seed}:agent`));
    return agent;
  };
}

/** Delegates to `inner` under another name, recording every candidate set it is shown. */
function recording(inner: Agent, name: string, seen: number[][]): Agent {
  return {
    name,
    fit: (s, t, r) => inner.fit(s, t, r),
    scoreCandidates(b, candidates, c, out) {
      seen.push(Array.from(candidates.subarray(0, b.users.length * c)));
      return inner.scoreCandidates(b, candidates, c, out);
    },
    scoreItems: (b, out) => inner.scoreItems(b, out),
  };
}

describe('rankCases', () => {
  it('ranks the full catalogue exactly and makes cold positives misses (recent, hand-computed)', async () => {
    const cases = buildTestCases(store, split);
    const agent = new RecentAgent();
    agent.fit(store, split.train, createRng(0));
    const ranks = await rankCases(agent, prepareEvaluation(store, cases, 'full'), { batchSize: 2 });
    // u1 -> 10: {10: 4, 11: 3, 12: .6, 13: .2}; u1 -> 12: 12 is third; 99 twice cold; u2 -> 13: second after 12
    expect(Array.from(ranks)).toEqual([0, 2, MISS, MISS, 1]);
  });
});

describe('summarize', () => {
  it('gives Recall@20, NDCG@20 and MRR over cases and per kind (full, hand-computed)', async () => {
    const runs = await evaluate({ store, split, protocol: 'full', agents: [perSeed(() => new RecentAgent())], resamples: 50 });
    const r = runs[0];
    expect(r.cases).toEqual({ total: 5, cold: 2, warm: 3, seen: 2, repeat: 1, discovery: 1, users: 2 });
    const m = r.agents[0].metrics;
    expect(m['recall@20'].mean).toBeCloseTo(3 / 5, 15);
    expect(m['ndcg@20'].mean).toBeCloseTo((1 + 0.5 + 1 / Math.log2(3)) / 5, 15);
    expect(m.mrr.mean).toBeCloseTo((1 + 1 / 3 + 1 / 2) / 5, 15);
    const sub = r.agents[0].bySubset;
    expect(sub.warm.cases).toBe(3);
    expect(sub.warm.metrics['recall@20'].mean).toBe(1);
    expect(sub.cold.metrics['recall@20']).toEqual({ mean: 0, lo: 0, hi: 0 });
    expect(sub.seen.metrics['ndcg@20'].mean).toBeCloseTo((1 + 1 / Math.log2(3)) / 2, 15);
    expect(sub.repeat.metrics.mrr.mean).toBe(1);
    expect(sub.discovery.metrics.mrr.mean).toBeCloseTo(1 / 3, 15);
    // random over a 4-item catalogue: warm cases 3/5 of the cases
    expect(r.randomExpected['recall@20']).toBeCloseTo(3 / 5, 15);
    expect(r.randomExpected.mrr).toBeCloseTo((3 / 5) * ((1 + 1 / 2 + 1 / 3 + 1 / 4) / 4), 15);
  });

  it('gives Recall@4, top-1 and reward per test user in the seed protocol (hand-computed)', async () => {
    const runs = await evaluate({
      store,
      split,
      catalogue: 'all',
      protocol: 'seed',
      agents: [oracle('perfect'), oracle('worst', true)],
      resamples: 50,
    });
    const [perfect, worst] = runs[0].agents;
    // rewards at epoch 0: u1 purchase 0.8 + click 0.1 + click 0.1 + favourite 0.3, u2 click 0.1; mean over 2 users
    expect(perfect.metrics['recall@4'].mean).toBe(1);
    expect(perfect.metrics.top1.mean).toBe(1);
    expect(perfect.metrics.rewardPerUser.mean).toBeCloseTo((1.3 + 0.1) / 2, 15);
    expect(worst.metrics['recall@4'].mean).toBe(0);
    expect(worst.metrics.rewardPerUser.mean).toBe(0);
    expect(runs[0].randomExpected).toEqual({ 'recall@4': 0.8, top1: 0.2, rewardPerUser: expect.closeTo(1.4 / 5 / 2, 15) });
  });

  it('gives HR@K and NDCG@K with --k in the sampled protocol', async () => {
    const b = tinyStore();
    const cases = buildTestCases(b, split, { catalogue: 'all' });
    // a catalogue of 5 cannot fill 100 candidates: a clear error
    expect(() => prepareEvaluation(b, cases, 'sampled')).toThrow(/at least 99 items besides the positive, actual 4/);
    expect(() => prepareEvaluation(b, cases, 'seed', { k: 6 })).toThrow(/1 <= k <= 5/);
  });

  it('reports an exact zero difference with CI [0, 0] between identical agents', async () => {
    const a = new PopularityAgent();
    const b = new PopularityAgent();
    const runs = await evaluate({
      store,
      split,
      catalogue: 'all',
      protocol: 'seed',
      agents: [recording(a, 'pop-a', []), recording(b, 'pop-b', [])],
      baseline: 'pop-b',
      seeds: [0, 1],
      resamples: 200,
    });
    for (const run of runs) {
      const diff = run.agents[0].diff;
      expect(diff?.baseline).toBe('pop-b');
      for (const v of Object.values(diff?.metrics ?? {})) expect(v).toEqual({ mean: 0, lo: 0, hi: 0 });
      expect(run.agents[1].diff).toBeUndefined();
    }
  });

  it('shows every agent the same candidate sets, whatever the filter, and new ones for a new seed', async () => {
    const seenA: number[][] = [];
    const seenB: number[][] = [];
    const seenC: number[][] = [];
    const seenD: number[][] = [];
    const common = { store, split, catalogue: 'all' as const, protocol: 'seed' as const, resamples: 10 };
    await evaluate({ ...common, agents: [recording(new PopularityAgent(), 'a', seenA), recording(new RecentAgent(), 'b', seenB)] });
    await evaluate({ ...common, filter: 'warm', agents: [recording(new RecentAgent(), 'c', seenC)] });
    await evaluate({ ...common, seeds: [1], agents: [recording(new RecentAgent(), 'd', seenD)] });
    expect(seenA).toEqual(seenB);
    expect(seenC).toEqual(seenA);
    expect(seenD).not.toEqual(seenA);
  });

  it('reports the filtered cases and keeps the per-kind counts', async () => {
    const runs = await evaluate({ store, split, protocol: 'full', agents: [perSeed(() => new RecentAgent())], filter: 'discovery', resamples: 20 });
    expect(runs[0].evaluated).toEqual({ total: 1, cold: 0, warm: 1, seen: 0, repeat: 0, discovery: 1, users: 1 });
    expect(runs[0].cases.total).toBe(5);
    expect(runs[0].agents[0].metrics['recall@20'].mean).toBe(1);
    expect(runs[0].agents[0].metrics.mrr.mean).toBeCloseTo(1 / 3, 15);
  });

  it('is deterministic under a seed, random agent included', async () => {
    const run = () => evaluate({ store, split, catalogue: 'all', protocol: 'seed', agents: [perSeed(() => new RandomAgent()), perSeed(() => new PopularityAgent())], seeds: [3], resamples: 30 });
    expect(await run()).toEqual(await run());
  });

  it('rejects a baseline without ranks', () => {
    const cases = buildTestCases(store, split);
    const setup = prepareEvaluation(store, cases, 'full');
    expect(() => summarize(setup, new Map([['a', new Int32Array(5)]]), { baseline: 'b' })).toThrow(/baseline "b"/);
  });
});

describe('evaluate', () => {
  it('judges a fitted agent as it is and asks a per-seed one for each seed', async () => {
    const fitted = new RecentAgent();
    fitted.fit(store, split.train, createRng(0));
    const judged: Agent = { ...oracle('fitted'), fit: () => expect.unreachable('evaluate must not fit an agent') };
    const asked: number[] = [];
    const source = (seed: number) => {
      asked.push(seed);
      return oracle('per-seed');
    };
    const runs = await evaluate({ store, split, catalogue: 'all', protocol: 'seed', agents: [judged, source, fitted], seeds: [4, 7], resamples: 10 });
    expect(asked).toEqual([4, 7]);
    expect(runs.map((r) => r.agents.map((a) => a.agent))).toEqual([
      ['fitted', 'per-seed', 'recent'],
      ['fitted', 'per-seed', 'recent'],
    ]);
  });
});

describe('buildReport', () => {
  it('averages seeds and reports their spread', async () => {
    const runs = await evaluate({ store, split, catalogue: 'all', protocol: 'seed', agents: [perSeed(() => new RandomAgent())], seeds: [0, 1, 2], resamples: 20 });
    const report = buildReport(runs, { data: 'tiny', catalogue: 'all', split, singleAgent: true });
    expect(report.seeds).toEqual([0, 1, 2]);
    const values = runs.map((r) => r.agents[0].metrics['recall@4'].mean);
    const mean = values.reduce((a, b) => a + b, 0) / 3;
    const metric = report.metrics?.['recall@4'] as { mean: number; std: number; min: number; max: number };
    expect(metric.mean).toBeCloseTo(mean, 15);
    expect(metric.min).toBe(Math.min(...values));
    expect(metric.max).toBe(Math.max(...values));
    expect(metric.std).toBeCloseTo(Math.sqrt(values.reduce((a, v) => a + (v - mean) ** 2, 0) / 2), 15);
    expect(report.runs).toHaveLength(3);
  });
});
