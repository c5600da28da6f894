import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readEventLog } from '../../src/data/read-event-log.js';
import { parseSimModel } from '../../src/sim/sim-model.js';
import { runCli } from '../helpers/collecting-io.js';
import { simFixture } from '../helpers/sim-fixture.js';

const { dir, log, other, sim } = simFixture('recgym-generate-sim-');

/** The propensity file's rows as [user, item, time, propensity, accepted]. */
function propensities(path: string): string[][] {
  const [header, ...rows] = readFileSync(path, 'utf8').trim().split('\n');
  expect(header).toBe('user_id,item_id,time,propensity,accepted');
  return rows.map((row) => row.split(','));
}

describe('recgym generate --sim', () => {
  it('writes the same log and propensities for the same seed, other ones for another seed, and the log loads with data stats', async () => {
    const runs = [];
    for (const [name, seed] of [['a.csv', '4'], ['b.csv', '4'], ['c.csv', '5']] as const) {
      const out = join(dir, name);
      const result = await runCli(['generate', '--sim', sim, '--data', log, '--policy', 'cooccurrence', '--epsilon', '0.2', '--seed', seed, '--out', out, '--json']);
      expect(result.code).toBe(0);
      runs.push({ log: readFileSync(out, 'utf8'), side: readFileSync(`${out}.propensity.csv`, 'utf8'), summary: JSON.parse(result.stdout) });
    }
    expect(runs[1].log).toBe(runs[0].log);
    expect(runs[1].side).toBe(runs[0].side);
    expect(runs[2].log).not.toBe(runs[0].log);
    expect(runs[0].summary.recommendations).toBe(propensities(join(dir, 'a.csv.propensity.csv')).length);
    const stats = await runCli(['data', 'stats', join(dir, 'a.csv')]);
    expect(stats.code).toBe(0);
    expect(stats.stdout).toMatch(/format\s+tianchi/);
    const { store } = await readEventLog(join(dir, 'a.csv'));
    expect(store.length).toBe(runs[0].summary.events);
    expect(readdirSync(dir).filter((name) => name.startsWith('.'))).toEqual([]);
  }, 60_000);

  it('logs each recommendation with the policy propensity: 1 / support for random, (1 − ε) / ties + ε / support or ε / support with ε', async () => {
    const model = parseSimModel(JSON.parse(readFileSync(sim, 'utf8')), sim);
    const support = model.itemCounts.filter((c) => c > 0).length;
    const random = join(dir, 'random.csv');
    expect((await runCli(['generate', '--sim', sim, '--data', log, '--policy', 'random', '--out', random])).code).toBe(0);
    const randomRows = propensities(`${random}.propensity.csv`);
    expect(randomRows.length).toBeGreaterThan(100);
    for (const row of randomRows) expect(Number(row[3])).toBeCloseTo(1 / support, 12);
    const greedy = join(dir, 'popularity.csv');
    expect((await runCli(['generate', '--sim', sim, '--data', log, '--policy', 'popularity', '--out', greedy])).code).toBe(0);
    for (const row of propensities(`${greedy}.propensity.csv`)) expect(Number(row[3])).toBe(1);
    const explored = join(dir, 'recent.csv');
    expect((await runCli(['generate', '--sim', sim, '--data', log, '--policy', 'recent', '--epsilon', '0.3', '--out', explored])).code).toBe(0);
    const rows = propensities(`${explored}.propensity.csv`);
    const low = rows.filter((row) => Math.abs(Number(row[3]) - 0.3 / support) < 1e-12).length;
    expect(low).toBeGreaterThan(0);
    for (const row of rows) {
      const p = Number(row[3]);
      if (Math.abs(p - 0.3 / support) < 1e-12) continue;
      const ties = 0.7 / (p - 0.3 / support);
      expect(Math.abs(ties - Math.round(ties))).toBeLessThan(1e-6);
    }
  }, 60_000);

  it('logs under the ranker fitted on the training days: the same bytes for the same seed, greedy propensities with ε', async () => {
    const model = parseSimModel(JSON.parse(readFileSync(sim, 'utf8')), sim);
    const support = model.itemCounts.filter((c) => c > 0).length;
    const runs = [];
    for (const name of ['ranker-a.csv', 'ranker-b.csv']) {
      const out = join(dir, name);
      const result = await runCli(['generate', '--sim', sim, '--data', log, '--policy', 'ranker', '--epsilon', '0.25', '--seed', '7', '--out', out, '--json']);
      expect(result.code).toBe(0);
      runs.push({ log: readFileSync(out, 'utf8'), side: readFileSync(`${out}.propensity.csv`, 'utf8'), summary: JSON.parse(result.stdout) });
    }
    expect(runs[1].log).toBe(runs[0].log);
    expect(runs[1].side).toBe(runs[0].side);
    expect(runs[0].summary).toMatchObject({ policy: 'ranker', epsilon: 0.25 });
    const rows = propensities(join(dir, 'ranker-a.csv.propensity.csv'));
    expect(rows.length).toBe(runs[0].summary.recommendations);
    const explored = rows.filter((row) => Math.abs(Number(row[3]) - 0.25 / support) < 1e-12).length;
    expect(explored).toBeGreaterThan(0);
    expect(explored).toBeLessThan(rows.length / 2);
    for (const row of rows) {
      const p = Number(row[3]);
      if (Math.abs(p - 0.25 / support) < 1e-12) continue;
      const ties = 0.75 / (p - 0.25 / support);
      expect(ties).toBeGreaterThanOrEqual(1);
      expect(Math.abs(ties - Math.round(ties))).toBeLessThan(1e-6);
    }
  }, 60_000);

  it('logs under a ranker or DQN checkpoint of recgym train as NAME=DIR, and refuses one trained on another log', async () => {
    const ranker = join(dir, 'trained-ranker');
    expect((await runCli(['train', '--agent', 'ranker', '--data', log, '--epochs', '1', '--out', ranker, '--quiet'])).code).toBe(0);
    const dqn = join(dir, 'trained-dqn');
    expect((await runCli(['train', '--agent', 'dqn', '--data', log, '--epochs', '1', '--out', dqn, '--quiet'])).code).toBe(0);
    for (const [spec, out] of [[`mine=${ranker}`, 'mine.csv'], [`q=${join(dqn, 'checkpoint')}`, 'q.csv']]) {
      const result = await runCli(['generate', '--sim', sim, '--data', log, '--policy', spec, '--epsilon', '0.1', '--out', join(dir, out), '--json']);
      expect(result.code, result.stderr).toBe(0);
      const summary = JSON.parse(result.stdout);
      expect(summary.policy).toBe(spec.slice(0, spec.indexOf('=')));
      const rows = propensities(join(dir, `${out}.propensity.csv`));
      expect(rows.length).toBe(summary.recommendations);
      expect(rows.some((row) => Number(row[3]) > 0.9)).toBe(true);
    }
    const foreign = join(dir, 'foreign-ranker');
    expect((await runCli(['train', '--agent', 'ranker', '--data', other, '--epochs', '1', '--out', foreign, '--quiet'])).code).toBe(0);
    const out = join(dir, 'foreign.csv');
    const refused = await runCli(['generate', '--sim', sim, '--data', log, '--policy', `f=${foreign}`, '--out', out]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(new RegExp(`^recgym generate: --policy f=${foreign}: ranker checkpoint .*: another data set than the checkpoint's: .*\n$`));
    expect(existsSync(out)).toBe(false);
  }, 120_000);

  it('refuses bad flags with exit 2 and a model of another log with exit 1, writing nothing', async () => {
    const out = join(dir, 'refused.csv');
    const cases: [string[], number, string][] = [
      [['--sim', sim, '--data', log, '--policy', 'nobody'], 2, '--policy: expected one of random, popularity, recent, cooccurrence, ranker, or NAME=DIR (a ranker or dqn checkpoint of recgym train), actual "nobody"'],
      [['--sim', sim, '--data', log, '--policy', 'dqn'], 2, '--policy: expected one of random, popularity, recent, cooccurrence, ranker, or NAME=DIR'],
      [['--sim', sim, '--data', log, '--policy', 'mine='], 2, '--policy: expected one of random, popularity, recent, cooccurrence, ranker, or NAME=DIR'],
      [['--sim', sim, '--data', log, '--policy', `mine=${join(dir, 'absent')}`], 1, `--policy mine=${join(dir, 'absent')}: expected a checkpoint of recgym train, actual ENOENT`],
      [['--sim', sim, '--data', log, '--policy', `mine=${sim}`], 1, `--policy mine=${sim}: expected a checkpoint of recgym train, actual ENOTDIR`],
      [['--sim', sim, '--data', log, '--policy', 'recent', '--epsilon', '1.5'], 2, '--epsilon: expected a number in [0, 1], actual "1.5"'],
      [['--sim', sim, '--data', log, '--policy', 'recent', '--epsilon', ''], 2, '--epsilon: expected a number in [0, 1], actual ""'],
      [['--sim', sim, '--policy', 'recent'], 2, '--sim: expected --data FILE'],
      [['--sim', sim, '--data', log, '--policy', 'recent', '--users', '5'], 2, '--users: expected only without --sim'],
      [['--policy', 'recent'], 2, '--policy: expected only with --sim'],
      [['--sim', sim, '--data', other, '--policy', 'recent'], 1, `--sim ${sim}: expected a model fitted on this log`],
    ];
    for (const [args, code, message] of cases) {
      const result = await runCli(['generate', ...args, '--out', out]);
      expect(result.code, args.join(' ')).toBe(code);
      expect(result.stderr.split('\n')[0]).toContain(message);
    }
    expect(existsSync(out)).toBe(false);
    expect(existsSync(`${out}.propensity.csv`)).toBe(false);
  }, 60_000);
});
