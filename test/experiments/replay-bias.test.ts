import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ESTIMATORS, TARGETS, configFromFlags, fitTarget, formatReplayBias, main, runWorld, type ReplayBiasResult } from '../../experiments/replay-bias.js';
import { SECONDS_PER_DAY } from '../../src/data/event-store.js';
import { StateBatch } from '../../src/data/state-batch.js';
import { bestOverSupport, greedyChance } from '../../src/eval/off-policy.js';
import { createDefaultEventStore } from '../../src/sim/default-data.js';
import { runQuietly } from './run-quietly.js';
import { writeTinyTianchi } from './tiny-data.js';

const dir = mkdtempSync(join(tmpdir(), 'recgym-exp-replay-bias-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('experiments/replay-bias', () => {
  let result: ReplayBiasResult;
  let stdout: string;
  beforeAll(async () => {
    const data = join(dir, 'tiny.csv');
    await writeTinyTianchi(data);
    ({ stdout } = await runQuietly(main, ['--quick', '--data', data, '--out', dir]));
    result = JSON.parse(readFileSync(join(dir, 'replay-bias.json'), 'utf8')) as ReplayBiasResult;
  }, 120_000);

  it('scores every target by truth, replay, IPS and SNIPS under each logger, with τ per estimator', () => {
    const [world] = result.worlds;
    expect(world.truth.map((t) => t.target)).toEqual([...TARGETS]);
    expect(world.runs.map((r) => r.logger)).toEqual(['popularity', 'recent']);
    for (const run of world.runs) {
      expect(run.epsilon).toBe(0.3);
      expect(run.recommendations).toBeGreaterThan(0);
      expect(run.targets.map((e) => e.target)).toEqual([...TARGETS]);
      for (const e of run.targets) {
        for (const v of [e.truth, e.ips, e.replayHit]) {
          // (a constant series' bounds can differ from its mean in the last bit)
          expect(v.lo).toBeLessThanOrEqual(v.mean + 1e-12);
          expect(v.mean).toBeLessThanOrEqual(v.hi + 1e-12);
        }
        expect(e.matches).toBeLessThanOrEqual(run.recommendations);
      }
      // The random target shows every item of the support with 1 / |S|: every logged item matches.
      expect(run.targets[0].matches).toBe(run.recommendations);
      expect(Object.keys(run.tau)).toEqual([...ESTIMATORS]);
      // The DQN is the sixth target, with finite estimates (SNIPS needs a match).
      const dqn = run.targets[5];
      expect(dqn.target).toBe('dqn');
      for (const v of [dqn.truth, dqn.atLoggedStates, dqn.replay, dqn.replayHit, dqn.ips]) expect(Number.isFinite(v.mean)).toBe(true);
      if (dqn.matches > 0) expect(Number.isFinite(dqn.snips.mean)).toBe(true);
      for (const estimator of ESTIMATORS) expect(Number.isFinite(run.tau[estimator])).toBe(true);
    }
    expect(stdout).toMatch(/^dqn +\d/m);
    expect(stdout).toContain('Kendall τ vs truth: atLoggedStates');
  });

  it('gives the same result for the same seed', async () => {
    const store = createDefaultEventStore({ users: 40, days: 4, items: 200, categories: 8 });
    const config = { ...configFromFlags(['--quick', '--loggers', 'ranker,dqn']), resamples: 20 };
    const a = await runWorld('tiny', store, config);
    const b = await runWorld('tiny', store, config);
    expect(a).toEqual(b);
    expect(TARGETS).toContain('ranker');
    expect(a.runs.map((r) => r.logger)).toEqual(['ranker', 'dqn']);
    // Each learner target scores as the same learner logging (re-attached through its checkpoint): it matches every greedy step (about 1 − ε of them).
    for (const run of a.runs) {
      const self = run.targets.find((e) => e.target === run.logger);
      expect(self?.matches).toBeGreaterThan(0.5 * run.recommendations);
    }
    expect(formatReplayBias({ config, worlds: [a], skipped: [] })).toBe(formatReplayBias({ config, worlds: [b], skipped: [] }));
  }, 60_000);

  it('gives the dqn target a greedy policy over the support: π sums to 1 per state, uniform over its tied best', async () => {
    const store = createDefaultEventStore({ users: 40, days: 4, items: 200, categories: 8 });
    const firstDay = Math.floor(store.minTime / SECONDS_PER_DAY) * SECONDS_PER_DAY;
    // Fitted on the first two days only: items first seen later are outside its catalogue and all get the one cold score.
    const window = { start: firstDay, end: firstDay + 2 * SECONDS_PER_DAY };
    const agent = await fitTarget('dqn', store, window, configFromFlags(['--quick']));
    const seen = new Uint8Array(store.numItems);
    for (let p = 0; p < store.length; p++) if (store.times[p] < window.end) seen[store.items[p]] = 1;
    const all = Int32Array.from({ length: store.numItems }, (_, x) => x);
    const unseen = all.filter((x) => seen[x] === 0);
    expect(unseen.length).toBeGreaterThan(1);
    const n = store.numUsers;
    const users = Int32Array.from({ length: n }, (_, u) => u);
    // Each user at the end of the fitted window (their history holds seen items only).
    const lengths = Int32Array.from(users, (u) => {
      let p = store.userOffsets[u];
      while (p < store.userOffsets[u + 1] && store.times[p] < window.end) p++;
      return p - store.userOffsets[u];
    });
    const scores = new Float64Array(n * store.numItems);
    await agent.scoreItems(new StateBatch(store, users, lengths, new Int32Array(n).fill(window.end)), scores);
    for (const support of [all, unseen]) {
      for (let u = 0; u < n; u++) {
        const offset = u * store.numItems;
        const best = bestOverSupport(scores, offset, support);
        const chances = Array.from(support, (x) => greedyChance(scores, offset, x, best));
        expect(chances.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 12);
        for (const c of chances) expect([0, 1 / best.tied]).toContain(c);
        // Over the unseen items the DQN's scores are one tie: uniform over all of them.
        if (support === unseen) expect(best.tied).toBe(unseen.length);
      }
    }
  }, 60_000);

  it('refuses bad flags', () => {
    expect(() => configFromFlags(['--epsilon', '0'])).toThrow('--epsilon: expected a number in (0, 1], actual "0"');
    expect(configFromFlags(['--loggers', 'dqn']).loggers).toEqual(['dqn']);
    expect(() => configFromFlags(['--loggers', 'sarsa'])).toThrow('--loggers: expected names among random, popularity, recent, cooccurrence, ranker, dqn, actual "sarsa"');
    expect(() => configFromFlags(['--days', '0'])).toThrow('--days: expected an integer >= 1');
  });
});
