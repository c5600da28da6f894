import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/collecting-io.js';

const dir = mkdtempSync(join(tmpdir(), 'recgym-cli-flags-'));
const out = join(dir, 'never');
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Asserts a usage error: exit 2, the message on the first line, then the synopsis, and no stack trace. */
function expectUsageError(result: { code: number; stdout: string; stderr: string }, command: string, message: string): void {
  expect(result.code).toBe(2);
  expect(result.stdout).toBe('');
  const lines = result.stderr.split('\n');
  expect(lines[0]).toBe(`recgym ${command}: ${message}`);
  expect(lines[1]).toBe('');
  expect(lines[2]).toMatch(new RegExp(`^usage: recgym ${command}`));
  expect(result.stderr).toContain(`(recgym ${command} --help lists every option)`);
  expect(result.stderr).not.toMatch(/\n\s+at |argument is ambiguous/);
}

describe('bad flag values exit 2 naming the flag and its expected form', () => {
  it.each([
    ['train', ['--epochs', '-1', '--out', out], '--epochs: expected an integer >= 1 and <= 10000, actual "-1"'],
    ['train', ['--seed', '-1', '--out', out], '--seed: expected an integer >= 0 and <= 2147483647, actual "-1"'],
    ['train', ['--seed', '1.5', '--out', out], '--seed: expected an integer >= 0 and <= 2147483647, actual "1.5"'],
    ['train', ['--test-day', '2014-13-01', '--out', out], '--test-day: expected a date YYYY-MM-DD, actual "2014-13-01"'],
    ['train', ['--validation-days=-2', '--out', out], '--validation-days: expected an integer >= 1 and <= 365, actual "-2"'],
    ['eval', ['--agent', 'random', '--protocol', 'seed', '--k', '-3'], '--k: expected an integer >= 1 and <= 5, actual "-3"'],
    ['eval', ['--agent', 'random', '--protocol', 'full', '--test-start', 'garbage'], '--test-start: expected a UTC time YYYY-MM-DDTHH:MM, actual "garbage"'],
    ['eval', ['--agent', 'random', '--protocol', 'full', '--seeds', '0,-1'], '--seeds: expected an integer >= 0 and <= 2147483647, actual "-1"'],
    ['eval', ['--agent', 'random', '--protocol', 'full', '--half-life-hours', '-5'], '--half-life-hours: expected a number > 0, actual "-5"'],
    ['compare', ['--seed', 'x', '--out', out], '--seed: expected an integer >= 0 and <= 2147483647, actual "x"'],
    ['compare', ['--test-start', '2014-12-18T25:00', '--out', out], '--test-start: expected a UTC time YYYY-MM-DDTHH:MM, actual "2014-12-18T25:00"'],
    ['compare', ['--test-day', '2014-02-30', '--out', out], '--test-day: expected a date YYYY-MM-DD, actual "2014-02-30"'],
    ['generate', ['--out', join(dir, 'g.csv'), '--seed', '-7'], '--seed: expected an integer >= 0 and <= 2147483647, actual "-7"'],
    ['generate', ['--out', join(dir, 'g.csv'), '--users', '-10'], '--users: expected an integer >= 1 and <= 50000000, actual "-10"'],
    ['generate', ['--out', join(dir, 'g.csv'), '--start', 'yesterday'], '--start: expected a date YYYY-MM-DD, actual "yesterday"'],
    ['env check', ['Tianchi-Replay-v0', '--seed', '-1'], '--seed: expected an integer >= 0 and <= 2147483647, actual "-1"'],
    ['demo', ['--seed', '-1', '--out', out], '--seed: expected an integer >= 0 and <= 2147483647, actual "-1"'],
  ])('recgym %s %j', async (command, args, message) => {
    expectUsageError(await runCli([...command.split(' '), ...args]), command, message);
  });
});

describe('malformed command lines exit 2 with one line', () => {
  it.each([
    ['train', ['--out'], '--out: expected a value, actual nothing'],
    ['train', ['--out', '--json'], '--out: expected a value, actual the flag --json'],
    ['generate', ['--out', join(dir, 'g.csv'), '--json=yes'], '--json: expected no value, actual "yes"'],
    ['generate', ['--out', join(dir, 'g.csv'), 'extra'], 'expected only flags, actual the argument "extra"'],
    ['env list', ['--nope'], 'unknown flag --nope: expected one of --json'],
  ])('recgym %s %j', async (command, args, message) => {
    expectUsageError(await runCli([...command.split(' '), ...args]), command, message);
  });
});

describe('--config files are option values: exit 2 naming the flag and the file', () => {
  it('refuses a missing, non-JSON, non-object or invalid config before loading any data', async () => {
    const bad = join(dir, 'bad.json');
    writeFileSync(bad, '{"epochs": ');
    const array = join(dir, 'array.json');
    writeFileSync(array, '[1, 2]');
    const invalid = join(dir, 'invalid.json');
    writeFileSync(invalid, JSON.stringify({ epochs: -1 }));
    const missing = join(dir, 'missing.json');
    for (const [file, message] of [
      [missing, `--config ${missing}: expected a readable JSON file, actual ENOENT`],
      [bad, `--config ${bad}: expected JSON, actual `],
      [array, `--config ${array}: expected a JSON object of ranker options, actual an array`],
      [invalid, `--config ${invalid}: ranker config: epochs`],
    ] as const) {
      const result = await runCli(['train', '--agent', 'ranker', '--config', file, '--out', out]);
      expect(result.code).toBe(2);
      expect(result.stderr.split('\n')[0]).toContain(`recgym train: ${message}`);
      expect(result.stderr).not.toMatch(/\n\s+at /);
    }
  });
});

describe('group help and --version', () => {
  it('prints the version of package.json', async () => {
    const { version } = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
    expect(await runCli(['--version'])).toEqual({ code: 0, stdout: `recgym ${version}\n`, stderr: '' });
  });

  it('lists a group\'s commands for recgym data --help and recgym env --help', async () => {
    const data = await runCli(['data', '--help']);
    expect(data.code).toBe(0);
    expect(data.stdout).toMatch(/^usage: recgym data <command>/);
    expect(data.stdout).toContain('  data stats ');
    const env = await runCli(['env', '-h']);
    expect(env.code).toBe(0);
    expect(env.stdout).toContain('  env list ');
    expect(env.stdout).toContain('  env check ');
    expect(env.stdout).not.toContain('generate');
  });

  it('exits 2 for a group without a command or with an unknown one, listing the group', async () => {
    const bare = await runCli(['env']);
    expect(bare.code).toBe(2);
    expect(bare.stderr.split('\n')[0]).toBe('recgym env: expected a command');
    expect(bare.stderr).toContain('  env check ');
    const unknown = await runCli(['data', 'nope']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr.split('\n')[0]).toBe('recgym: unknown command "data nope"');
    expect(unknown.stderr).toContain('  data stats ');
  });
});
