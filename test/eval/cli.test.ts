import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.js';
import { collectingIo } from '../helpers/collecting-io.js';
import { tinyTianchiCsv } from './tiny-log.js';

const dir = mkdtempSync(join(tmpdir(), 'recgym-eval-'));
const file = join(dir, 'tiny.csv');
writeFileSync(file, tinyTianchiCsv());
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function run(args: string[]) {
  const io = collectingIo();
  const code = await main(['eval', ...args], io);
  return { code, out: io.out, err: io.err };
}

describe('recgym eval', () => {
  it('prints one JSON object with data, protocol, seed, cases, metrics, bySubset', async () => {
    const { code, out, err } = await run(['--agent', 'recent', '--data', file, '--test-day', '2014-12-18', '--protocol', 'full', '--resamples', '50', '--json']);
    expect(err).toBe('');
    expect(code).toBe(0);
    const report = JSON.parse(out);
    expect(report).toMatchObject({
      data: file,
      protocol: 'full',
      k: 20,
      seed: 0,
      catalogue: 'train',
      filter: 'all',
      cases: { total: 5, cold: 2, warm: 3, seen: 2, repeat: 1, discovery: 1, users: 2 },
      agent: 'recent',
    });
    expect(report.metrics['recall@20'].mean).toBeCloseTo(0.6, 15);
    expect(Object.keys(report.bySubset)).toEqual(['all', 'cold', 'warm', 'seen', 'repeat', 'discovery']);
    expect(report.bySubset.warm).toMatchObject({ cases: 3, 'recall@20': { mean: 1, lo: 1, hi: 1 } });
    expect(report.split.test).toEqual({ start: '2014-12-18T00:00:00Z', end: '2014-12-19T00:00:00Z' });
    expect(out.trim().split('\n')).toHaveLength(1);
  });

  it('compares agents with paired differences to a baseline over several seeds', async () => {
    const { code, out } = await run([
      '--agents', 'recent,popularity', '--baseline', 'random', '--data', file, '--test-day', '2014-12-18',
      '--catalogue', 'all', '--protocol', 'seed', '--seeds', '0,1', '--resamples', '20', '--json',
    ]);
    expect(code).toBe(0);
    const report = JSON.parse(out);
    expect(report.seeds).toEqual([0, 1]);
    expect(report.baseline).toBe('random');
    expect(report.agents.map((a: { agent: string }) => a.agent)).toEqual(['recent', 'popularity', 'random']);
    expect(report.agents[0].diff.baseline).toBe('random');
    expect(Object.keys(report.agents[0].diff.metrics)).toEqual(['recall@4', 'top1', 'rewardPerUser']);
    expect(report.agents[0].metrics['recall@4']).toHaveProperty('std');
    expect(report.randomExpected['recall@4']).toBe(0.8);
    expect(report.metrics).toBeUndefined();
  });

  it('prints a readable table with the random expectation', async () => {
    const { code, out } = await run(['--agent', 'popularity', '--data', file, '--test-day', '2014-12-18', '--protocol', 'full', '--resamples', '20']);
    expect(code).toBe(0);
    expect(out).toContain('test cases 5 of 2 users: cold 2 (40.0%), warm 3 (60.0%), seen 2 (40.0%), repeat 1 (20.0%), discovery 1 (20.0%)');
    expect(out).toMatch(/random \(expected\)\s+0\.6000/);
    expect(out).toContain('recall@20 by kind of case:');
  });

  it('windows a single-day log with --test-start', async () => {
    const { code, out } = await run([
      '--agent', 'recent', '--data', file, '--test-start', '2014-12-18T02:00', '--protocol', 'full', '--resamples', '10', '--json',
    ]);
    expect(code).toBe(0);
    const report = JSON.parse(out);
    // test window 02:00 .. midnight: u1's 12, 99, 99 and u2's 13 (u1's 01:00 purchase now trains)
    expect(report.cases).toMatchObject({ total: 4, cold: 2, seen: 1, discovery: 1, users: 2 });
    expect(report.split.train.end).toBe('2014-12-18T02:00:00Z');
  });

  it.each([
    [['--agent', 'nope', '--protocol', 'full'], 2, /unknown agent: expected one of random, popularity, recent, cooccurrence, ranker, dqn, actual "nope"/],
    [['--agent', 'recent', '--protocol', 'best'], 2, /--protocol: expected seed, sampled or full, actual "best"/],
    [['--agent', 'recent'], 2, /--protocol: expected seed, sampled or full/],
    [['--agent', 'recent', '--protocol', 'seed', '--k', '9'], 2, /--k: expected an integer >= 1 and <= 5, actual "9"/],
    [['--agent', 'recent', '--protocol', 'full', '--k', 'x'], 2, /--k: expected an integer/],
    [['--protocol', 'full'], 2, /expected --agent NAME or --agents/],
    [['--agent', 'recent', '--agents', 'random', '--protocol', 'full'], 2, /actual both/],
    [['--agent', 'recent', '--protocol', 'full', '--cases', 'odd'], 2, /--cases: expected/],
    [['--agent', 'recent', '--protocol', 'full', '--model', 'ckpt'], 2, /--model: expected an agent that loads checkpoints \(ranker, dqn\), actual recent/],
    [['--agent', 'recent', '--protocol', 'full', '--bogus'], 2, /unknown flag --bogus: expected one of --agent, /],
  ])('rejects %j with exit %i', async (args, exitCode, message) => {
    const { code, err } = await run(args as string[]);
    expect(code).toBe(exitCode);
    expect(err).toMatch(message);
  });

  it('exits 1 for a missing file or a log without cases, 2 for a bad test start', async () => {
    const missing = await run(['--agent', 'recent', '--data', join(dir, 'missing.csv'), '--protocol', 'full']);
    expect(missing.code).toBe(1);
    expect(missing.err).toContain('missing.csv');
    const badStart = await run(['--agent', 'recent', '--data', file, '--test-start', 'tomorrow', '--protocol', 'full']);
    expect(badStart.code).toBe(2);
    expect(badStart.err).toContain('--test-start: expected a UTC time YYYY-MM-DDTHH:MM, actual "tomorrow"');
    const noCases = await run(['--agent', 'recent', '--data', file, '--test-day', '2014-12-16', '--protocol', 'full']);
    expect(noCases.code).toBe(1);
    expect(noCases.err).toMatch(/expected test cases .*actual none/);
  });

  it('evaluates the embedded default data without --data', async () => {
    const { code, out } = await run(['--agent', 'popularity', '--protocol', 'seed', '--resamples', '10', '--json']);
    expect(code).toBe(0);
    const report = JSON.parse(out);
    expect(report.data).toBe('default');
    expect(report.cases.total).toBeGreaterThan(100);
    expect(report.randomExpected['recall@4']).toBe(0.8);
  });
});
