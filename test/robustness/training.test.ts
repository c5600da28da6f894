import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BehaviorCode } from '../../src/data/behavior.js';
import { tinyTianchiCsv } from '../eval/tiny-log.js';
import { runCli } from '../helpers/collecting-io.js';
import { TINY_DQN } from '../helpers/tiny-dqn.js';

// Training on logs too small for the config: adapted with a notice, or flagged as untrained.
const dir = mkdtempSync(join(tmpdir(), 'recgym-robust-train-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const small = join(dir, 'small.csv');

/** 30 users with one event on each of three days (train, validation, test): no training transition (a transition needs an earlier event of the user in the window). */
function oneEventPerDayCsv(): string {
  const day = Date.UTC(2014, 11, 15) / 1000;
  const rows: Array<readonly [number, number, number, BehaviorCode, number]> = [];
  for (let user = 1; user <= 30; user++) {
    for (let d = 0; d < 3; d++) rows.push([user, 100 + ((user + d) % 12), 1 + (user % 3), 1, day + d * 86_400 + 3600 * (user % 20)]);
  }
  return tinyTianchiCsv(rows);
}

beforeAll(async () => {
  expect((await runCli(['generate', '--out', small, '--users', '25', '--days', '6', '--items', '200', '--categories', '8'])).code).toBe(0);
});

describe('recgym train on a log smaller than learningStarts', () => {
  it('adapts the DQN learningStarts with a one-line notice, trains, and says so in results.json', async () => {
    const config = join(dir, 'big-learning-starts.json');
    writeFileSync(config, JSON.stringify({ ...TINY_DQN, learningStarts: 100_000 }));
    const out = join(dir, 'dqn');
    const result = await runCli(['train', '--data', small, '--config', config, '--epochs', '1', '--out', out]);
    expect(result.code).toBe(0);
    const notices = result.stderr.split('\n').filter((line) => line.includes('learningStarts'));
    expect(notices).toHaveLength(1);
    expect(notices[0]).toMatch(/^recgym train: dqn: note: learningStarts 100000 adapted to \d+ \(at most half an epoch's \d+ transitions and the replay capacity 2000\)/);
    const results = JSON.parse(readFileSync(join(out, 'results.json'), 'utf8'));
    expect(results.trained).toBe(true);
    expect(results.gradientSteps).toBeGreaterThan(0);
    expect(results.warnings).toEqual([]);
    expect(results.epochs[0].gradientSteps).toBe(results.gradientSteps);
    expect(result.stderr).not.toMatch(/warning/);
  }, 60_000);
});

describe('recgym train on a log with no training transition', () => {
  const data = join(dir, 'one-event-per-day.csv');
  const out = join(dir, 'ranker-untrained');
  let result: { code: number; stdout: string; stderr: string };

  beforeAll(async () => {
    writeFileSync(data, oneEventPerDayCsv());
    result = await runCli(['train', '--agent', 'ranker', '--data', data, '--epochs', '1', '--out', out]);
  });

  it('flags the untrained agent in results.json', () => {
    expect(result.code).toBe(0);
    const results = JSON.parse(readFileSync(join(out, 'results.json'), 'utf8'));
    expect(results).toMatchObject({ trained: false, gradientSteps: 0 });
    expect(results.warnings).toHaveLength(1);
    expect(results.warnings[0]).toMatch(/^0 gradient steps: the ranker saved is untrained/);
  });

  it('warns on stderr: plain when it is not a TTY, red on a TTY, also with --quiet and --json', async () => {
    expect(result.stderr).toMatch(/^recgym train: warning: 0 gradient steps: the ranker saved is untrained \(its initial weights\); its training window 2014-12-15 holds too little data for its config \(no user has two events in it\)$/m);
    expect(result.stderr).not.toContain('\x1b[');
    const onTty = await runCli(['train', '--agent', 'ranker', '--data', data, '--epochs', '1', '--out', join(dir, 'tty'), '--quiet', '--json'], true);
    expect(onTty.code).toBe(0);
    expect(onTty.stderr.startsWith('\x1b[31mrecgym train: warning: 0 gradient steps: ')).toBe(true);
    expect(onTty.stderr.endsWith('\x1b[0m\n')).toBe(true);
    expect(onTty.stderr.split('\n')).toHaveLength(2);
    expect(JSON.parse(onTty.stdout)).toMatchObject({ trained: false, gradientSteps: 0 });
  });

  it('warns again when recgym eval loads the untrained checkpoint', async () => {
    const evaluated = await runCli(['eval', '--agent', 'ranker', '--model', join(out, 'checkpoint'), '--data', data, '--protocol', 'full', '--quiet']);
    expect(evaluated.stderr).toContain(`recgym eval: warning: --model ${join(out, 'checkpoint')}: the ranker checkpoint made 0 gradient steps in training: it is untrained (its initial weights)\n`);
  });

  it('says in the loss panel of curves.svg why it is empty', () => {
    const svg = readFileSync(join(out, 'curves.svg'), 'utf8');
    expect(svg).toContain('no gradient steps: the agent did not train (too little data)');
    expect(svg).toContain('>total (no values)</text>');
  });
});
