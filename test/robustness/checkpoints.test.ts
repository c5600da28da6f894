import { appendFileSync, copyFileSync, cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/collecting-io.js';
import { TINY_DQN } from '../helpers/tiny-dqn.js';

// Hostile checkpoints through the CLI: each refusal is one line on stderr, exit 1, no stack trace.
const dir = mkdtempSync(join(tmpdir(), 'recgym-robust-ckpt-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const logA = join(dir, 'a.csv');
const logB = join(dir, 'b.csv');
const generate = ['--users', '60', '--days', '8', '--items', '300', '--categories', '10'];

/** `recgym eval --agent NAME --model DIR` on `data`. */
function evalWith(name: string, model: string, data = logA) {
  return runCli(['eval', '--agent', name, '--model', model, '--data', data, '--protocol', 'full', '--resamples', '10']);
}

/** One line on stderr, exit 1, no stack trace, matching `pattern`. */
function expectRefusal(result: { code: number; stdout: string; stderr: string }, pattern: RegExp): void {
  expect(result.code).toBe(1);
  expect(result.stdout).toBe('');
  expect(result.stderr.trimEnd().split('\n')).toHaveLength(1);
  expect(result.stderr).not.toMatch(/\n\s+at |internal error/);
  expect(result.stderr).toMatch(pattern);
}

/** A copy of checkpoint `from` whose manifest `edit` changed. */
function editedCopy(from: string, name: string, edit: (manifest: Record<string, unknown>) => void): string {
  const to = join(dir, name);
  rmSync(to, { recursive: true, force: true });
  cpSync(from, to, { recursive: true });
  const manifest = JSON.parse(readFileSync(join(to, 'manifest.json'), 'utf8')) as Record<string, unknown>;
  edit(manifest);
  writeFileSync(join(to, 'manifest.json'), JSON.stringify(manifest));
  return to;
}

const checkpoints: Record<'ranker' | 'dqn', string> = { ranker: join(dir, 'ranker', 'checkpoint'), dqn: join(dir, 'dqn', 'checkpoint') };

beforeAll(async () => {
  expect((await runCli(['generate', '--out', logA, '--seed', '1', ...generate])).code).toBe(0);
  expect((await runCli(['generate', '--out', logB, '--seed', '2', ...generate])).code).toBe(0);
  const rankerConfig = join(dir, 'ranker.json');
  writeFileSync(rankerConfig, JSON.stringify({ passesPerEpoch: 1, batchSize: 64 }));
  const dqnConfig = join(dir, 'dqn.json');
  writeFileSync(dqnConfig, JSON.stringify(TINY_DQN));
  expect((await runCli(['train', '--agent', 'ranker', '--data', logA, '--config', rankerConfig, '--epochs', '1', '--out', join(dir, 'ranker'), '--quiet'])).code).toBe(0);
  expect((await runCli(['train', '--agent', 'dqn', '--data', logA, '--config', dqnConfig, '--epochs', '1', '--out', join(dir, 'dqn'), '--quiet'])).code).toBe(0);
}, 120_000);

describe.each(['ranker', 'dqn'] as const)('a %s checkpoint through recgym eval --model', (name) => {
  it('loads on the data it was trained on', async () => {
    const result = await evalWith(name, checkpoints[name]);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
  });

  it('is refused on a log generated with another seed, naming what differs', async () => {
    expectRefusal(await evalWith(name, checkpoints[name], logB), /checkpoint .*: another data set than the checkpoint's: (items: expected \d+ \(the training data's\), actual \d+|item ids: expected the training data's \(hash [0-9a-f]{16}\), actual other ids)/);
  });

  it('is refused on the log refreshed with a new item, naming the item count', async () => {
    const refreshed = join(dir, `refreshed-${name}.csv`);
    copyFileSync(logA, refreshed);
    appendFileSync(refreshed, '1,987654321,1,,3,2014-11-25 10\n');
    expectRefusal(await evalWith(name, checkpoints[name], refreshed), /another data set than the checkpoint's: items: expected (\d+) \(the training data's\), actual \d+$/m);
  });

  it('is refused with a training window edited to "yesterday", naming the field', async () => {
    const edited = editedCopy(checkpoints[name], `${name}-yesterday`, (m) => {
      (m.data as { train: { end: unknown } }).train.end = 'yesterday';
    });
    expectRefusal(await evalWith(name, edited), /checkpoint .*: data\.train\.end: .*expected number/);
  });

  it('is refused with a training window moved by a day, naming the window and its event counts', async () => {
    const edited = editedCopy(checkpoints[name], `${name}-moved`, (m) => {
      (m.data as { train: { end: number } }).train.end -= 86_400;
    });
    expectRefusal(await evalWith(name, edited), /another data set than the checkpoint's: training window \[\S+, \S+\): expected \d+ events, actual \d+/);
  });

  it('is refused when written by an older format version, asking to retrain', async () => {
    const older = editedCopy(checkpoints[name], `${name}-older`, (m) => {
      m.format = name === 'dqn' ? 'recgym-dqn/3' : 'recgym-ranker/1';
    });
    expectRefusal(await evalWith(name, older), /expected format recgym-(dqn\/4|ranker\/2), actual recgym-(dqn\/3|ranker\/1) \(written by another version of recgym: retrain with recgym train\)/);
  });
});

describe('non-finite weights', () => {
  it('refuses a NaN weight of the DQN naming the tensor and index', async () => {
    const broken = join(dir, 'dqn-nan');
    cpSync(checkpoints.dqn, broken, { recursive: true });
    const manifest = JSON.parse(readFileSync(join(broken, 'manifest.json'), 'utf8')) as { tensors: { name: string; offset: number }[] };
    const items = manifest.tensors.find((t) => t.name === 'items') as { offset: number };
    const weights = readFileSync(join(broken, 'weights.bin'));
    weights.writeFloatLE(Number.NaN, (items.offset + 5) * 4);
    writeFileSync(join(broken, 'weights.bin'), weights);
    expectRefusal(await evalWith('dqn', broken), /weights\.bin: items\[5\]: expected a finite weight, actual NaN/);
  });

  it('refuses an infinite weight of the ranker naming the field', async () => {
    const broken = editedCopy(checkpoints.ranker, 'ranker-inf', () => {});
    const text = readFileSync(join(broken, 'manifest.json'), 'utf8').replace(/"contextWeights":\[([^,\]]+)/, '"contextWeights":[1e999');
    writeFileSync(join(broken, 'manifest.json'), text);
    expectRefusal(await evalWith('ranker', broken), /contextWeights\.0: /);
  });
});
