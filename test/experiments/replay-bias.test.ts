import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ESTIMATORS, TARGETS, configFromFlags, formatReplayBias, main, runWorld, type ReplayBiasResult } from '../../experiments/replay-bias.js';
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
    }
    expect(stdout).toContain('Kendall τ vs truth: atLoggedStates');
  });

  it('gives the same result for the same seed', async () => {
    const store = createDefaultEventStore({ users: 40, days: 4, items: 200, categories: 8 });
    const config = { ...configFromFlags(['--quick', '--loggers', 'ranker']), resamples: 20 };
    const a = await runWorld('tiny', store, config);
    const b = await runWorld('tiny', store, config);
    expect(a).toEqual(b);
    expect(TARGETS).toContain('ranker');
    expect(a.runs.map((r) => r.logger)).toEqual(['ranker']);
    // The ranker target scores as the ranker logger: it matches every greedy step (about 1 − ε of them).
    const self = a.runs[0].targets.find((e) => e.target === 'ranker');
    expect(self?.matches).toBeGreaterThan(0.5 * a.runs[0].recommendations);
    expect(formatReplayBias({ config, worlds: [a], skipped: [] })).toBe(formatReplayBias({ config, worlds: [b], skipped: [] }));
  }, 60_000);

  it('refuses bad flags', () => {
    expect(() => configFromFlags(['--epsilon', '0'])).toThrow('--epsilon: expected a number in (0, 1], actual "0"');
    expect(() => configFromFlags(['--loggers', 'dqn'])).toThrow('--loggers: expected names among random, popularity, recent, cooccurrence, ranker, actual "dqn"');
    expect(() => configFromFlags(['--days', '0'])).toThrow('--days: expected an integer >= 1');
  });
});
