import { TINY_DQN } from '../helpers/tiny-dqn.js';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/collecting-io.js';

const dir = mkdtempSync(join(tmpdir(), 'recgym-train-cli-'));
const data = join(dir, 'tiny.csv');
const configFile = join(dir, 'tiny.json');
const out = join(dir, 'run');
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const TINY = { ...TINY_DQN, epochs: 2 };

/** Minimal XML well-formedness: balanced, properly nested tags and quoted attributes. */
function checkXml(text: string): { tags: Map<string, number> } {
  const stack: string[] = [];
  const tags = new Map<string, number>();
  const body = text.replace(/<\?xml[^>]*\?>/, '');
  const pattern = /<(\/?)([A-Za-z][\w:-]*)((?:\s+[\w:-]+="[^"<]*")*)\s*(\/?)>/g;
  let last = 0;
  for (let m = pattern.exec(body); m; m = pattern.exec(body)) {
    expect(body.slice(last, m.index)).not.toMatch(/[<>]/);
    last = m.index + m[0].length;
    const [, closing, name, , selfClosing] = m;
    if (closing) expect(stack.pop()).toBe(name);
    else {
      tags.set(name, (tags.get(name) ?? 0) + 1);
      if (!selfClosing) stack.push(name);
    }
  }
  expect(body.slice(last).trim()).toBe('');
  expect(stack).toEqual([]);
  return { tags };
}

describe('recgym train', () => {
  let first: { code: number; stdout: string; stderr: string };

  beforeAll(async () => {
    const generated = await runCli(['generate', '--out', data, '--users', '60', '--days', '8', '--items', '300', '--categories', '10']);
    expect(generated.code).toBe(0);
    writeFileSync(configFile, JSON.stringify(TINY));
    first = await runCli(['train', '--data', data, '--config', configFile, '--seed', '3', '--out', out, '--json']);
  });

  it('writes a checkpoint, results.json and curves.svg and prints one JSON object', () => {
    expect(first.code).toBe(0);
    expect(first.stdout.trim().split('\n')).toHaveLength(1);
    const printed = JSON.parse(first.stdout);
    const results = JSON.parse(readFileSync(join(out, 'results.json'), 'utf8'));
    expect(printed).toEqual(results);
    expect(results).toMatchObject({ agent: 'dqn', data, seed: 3, backend: 'cpu', validationDays: 1, config: { epochs: 2, itemDim: 8 } });
    expect(results.epochs).toHaveLength(2);
    expect(results.epochs[0]).toMatchObject({ epoch: 0, details: { purchaseReward: 0.8 } });
    expect(Object.keys(results.epochs[1].validation).sort()).toEqual(['mrr', 'ndcg@20', 'recall@20']);
    expect(results.bestEpoch === 0 || results.bestEpoch === 1).toBe(true);
    expect(results.best.validation).toEqual(results.epochs[results.bestEpoch].validation);
    expect(results.windows.validation.end).toBe(results.windows.test.start);
    expect(results.windows.train.end).toBe(results.windows.validation.start);
    expect(results.timings.seconds).toBeGreaterThan(0);
    expect(existsSync(join(out, 'checkpoint', 'manifest.json'))).toBe(true);
    expect(existsSync(join(out, 'checkpoint', 'weights.bin'))).toBe(true);
  });

  it('logs the backend and one plain line per epoch on stderr when it is not a TTY', () => {
    expect(first.stderr).toMatch(/dqn: backend cpu/);
    expect(first.stderr).toMatch(/epoch 1\/2: loss .* validation recall@20/);
    expect(first.stderr).toMatch(/epoch 2\/2: /);
    expect(first.stderr).not.toContain('\r');
  });

  it('draws well-formed curves with validation and test series and no NaN', () => {
    const svg = readFileSync(join(out, 'curves.svg'), 'utf8');
    const { tags } = checkXml(svg);
    expect(svg).not.toMatch(/NaN|Infinity|undefined/);
    // Four panels: reward (1 series), loss (3), recall (2), ndcg (2); two epochs give one path each.
    expect(tags.get('svg')).toBe(1);
    expect(tags.get('g')).toBe(4);
    expect(svg.match(/<path class="series"/g)?.length).toBeGreaterThanOrEqual(7);
    for (const label of ['Recall@20', 'NDCG@20', 'training loss', 'reward', 'validation', 'test (reported only)', 'chosen']) expect(svg).toContain(label);
  });

  it('gives the same results for the same seed, and its checkpoint evaluates to the chosen epoch', async () => {
    const again = await runCli(['train', '--data', data, '--config', configFile, '--seed', '3', '--out', join(dir, 'again'), '--json']);
    expect(again.code).toBe(0);
    const a = JSON.parse(first.stdout);
    const b = JSON.parse(again.stdout);
    const strip = (epochs: Array<Record<string, unknown>>) => epochs.map(({ seconds, evalSeconds, transitionsPerSec, wallTransitionsPerSec, ...rest }) => rest);
    expect(strip(b.epochs)).toEqual(strip(a.epochs));
    expect(b.bestEpoch).toBe(a.bestEpoch);

    const evaluated = await runCli(['eval', '--agent', 'dqn', '--model', out, '--data', data, '--protocol', 'full', '--seed', '3', '--resamples', '20', '--json']);
    expect(evaluated.stderr).toBe('');
    expect(evaluated.code).toBe(0);
    const report = JSON.parse(evaluated.stdout);
    expect(report.agent).toBe('dqn');
    expect(report.metrics['recall@20'].mean).toBeCloseTo(a.best.test['recall@20'], 12);
    expect(report.metrics['ndcg@20'].mean).toBeCloseTo(a.best.test['ndcg@20'], 12);
    // The checkpoint folder itself loads too.
    const direct = await runCli(['eval', '--agent', 'dqn', '--model', join(out, 'checkpoint'), '--data', data, '--protocol', 'full', '--seed', '3', '--resamples', '20', '--json']);
    expect(JSON.parse(direct.stdout).metrics['recall@20'].mean).toBe(report.metrics['recall@20'].mean);
  });

  it('saves the refitted agent with --refit and reports its test metrics', async () => {
    const refitOut = join(dir, 'refit');
    const result = await runCli(['train', '--data', data, '--config', configFile, '--epochs', '1', '--refit', '--out', refitOut]);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/refit 1 epoch\(s\) through the validation day\(s\): test recall@20 \d\.\d{4} \(the saved agent\)/);
    const results = JSON.parse(readFileSync(join(refitOut, 'results.json'), 'utf8'));
    expect(results.refit.epochs).toBe(1);
    const evaluated = await runCli(['eval', '--agent', 'dqn', '--model', refitOut, '--data', data, '--protocol', 'full', '--resamples', '10', '--json']);
    expect(JSON.parse(evaluated.stdout).metrics['recall@20'].mean).toBeCloseTo(results.refit.test['recall@20'], 12);
  });

  it('trains on the embedded data with only --out, --epochs and a small config', async () => {
    const small = join(dir, 'small.json');
    writeFileSync(small, JSON.stringify({ ...TINY, maxStepsPerEpoch: 5, learningStarts: 16 }));
    const result = await runCli(['train', '--config', small, '--epochs', '1', '--out', join(dir, 'embedded')]);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/chosen epoch 1/);
    expect(JSON.parse(readFileSync(join(dir, 'embedded', 'results.json'), 'utf8'))).toMatchObject({ data: 'default', config: { epochs: 1 } });
  }, 120_000);

  it('trains the ranker with --agent ranker on typed arrays, and eval loads its checkpoint', async () => {
    const rankerOut = join(dir, 'ranker');
    const rankerConfig = join(dir, 'ranker.json');
    writeFileSync(rankerConfig, JSON.stringify({ passesPerEpoch: 1, batchSize: 64 }));
    const result = await runCli(['train', '--agent', 'ranker', '--data', data, '--config', rankerConfig, '--epochs', '2', '--out', rankerOut, '--json']);
    expect(result.code).toBe(0);
    const results = JSON.parse(result.stdout);
    expect(results).toMatchObject({ agent: 'ranker', backend: 'js', config: { epochs: 2, batchSize: 64 } });
    expect(results.epochs[0].details).toEqual({});
    expect(existsSync(join(rankerOut, 'checkpoint', 'manifest.json'))).toBe(true);
    const evaluated = await runCli(['eval', '--agents', 'ranker,recent', '--model', join(rankerOut, 'checkpoint'), '--data', data, '--protocol', 'full', '--resamples', '20', '--json']);
    expect(evaluated.code).toBe(0);
    const report = JSON.parse(evaluated.stdout);
    expect(report.agents.map((a: { agent: string }) => a.agent)).toEqual(['ranker', 'recent']);
    const recall = report.agents[0].metrics['recall@20'].mean as number;
    expect(recall).toBeCloseTo(results.best.test['recall@20'], 10);
    const backend = await runCli(['train', '--agent', 'ranker', '--backend', 'cpu', '--out', join(dir, 'never')]);
    expect(backend.code).toBe(2);
    expect(backend.stderr).toMatch(/--backend: expected only with --agent dqn/);
  }, 120_000);

  it.each([
    [['--out', 'x', '--agent', 'recent'], 2, /--agent: expected an agent that trains \(ranker, dqn\), actual "recent"/],
    [['--out', 'x', '--agent', 'nope'], 2, /--agent: expected one of .*actual "nope"/],
    [[], 2, /--out: expected a directory/],
    [['--out', 'x', '--epochs', '0'], 2, /--epochs: expected an integer >= 1/],
    [['--out', 'x', '--backend', 'gpu'], 2, /--backend: expected auto, tensorflow, wasm, cpu, actual "gpu"/],
    [['--out', 'x', '--validation-days', 'two'], 2, /--validation-days: expected an integer/],
    [['--out', 'x', '--bogus'], 2, /unknown flag --bogus: expected one of --agent, /],
  ])('rejects %j with exit %i', async (args, exitCode, message) => {
    const { code, stderr } = await runCli(['train', ...(args as string[])]);
    expect(code).toBe(exitCode);
    expect(stderr).toMatch(message);
  });

  it('exits 2 naming the flag and the file for a missing, non-JSON or invalid config', async () => {
    const bad = join(dir, 'bad.json');
    writeFileSync(bad, '{"epochs": ');
    const invalid = join(dir, 'invalid.json');
    writeFileSync(invalid, JSON.stringify({ epochs: 0 }));
    const unknown = join(dir, 'unknown.json');
    writeFileSync(unknown, JSON.stringify({ epoch: 3 }));
    for (const [file, message] of [
      [join(dir, 'none.json'), /--config .*none\.json: expected a readable JSON file/],
      [bad, /--config .*bad\.json: expected JSON/],
      [invalid, /--config .*invalid\.json: DQN config: epochs/],
      [unknown, /--config .*unknown\.json: DQN config: .*epoch/],
    ] as const) {
      const { code, stderr } = await runCli(['train', '--config', file, '--out', join(dir, 'x')]);
      expect(code).toBe(2);
      expect(stderr).toMatch(message);
    }
  });

  it('exits 1 when there are no training days before the validation day', async () => {
    const { code, stderr } = await runCli(['train', '--data', data, '--config', configFile, '--validation-days', '7', '--out', join(dir, 'x')]);
    expect(code).toBe(1);
    expect(stderr).toMatch(/expected training days before the validation window \[\d{4}-\d\d-\d\d, \d{4}-\d\d-\d\d\) \(7 day\(s\)\), actual none/);
  });
});

describe('recgym eval --model', () => {
  it('exits 1 for a missing or corrupt checkpoint and 2 for an agent that cannot load', async () => {
    const base = ['--data', data, '--protocol', 'full', '--resamples', '10'];
    const missing = await runCli(['eval', '--agent', 'dqn', '--model', join(dir, 'nowhere'), ...base]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/DQN checkpoint .*nowhere: expected a JSON manifest.json, actual ENOENT/);

    const corrupt = join(dir, 'corrupt');
    rmSync(corrupt, { recursive: true, force: true });
    await runCli(['train', '--data', data, '--config', configFile, '--epochs', '1', '--out', corrupt]);
    writeFileSync(join(corrupt, 'checkpoint', 'weights.bin'), Buffer.alloc(12));
    const truncated = await runCli(['eval', '--agent', 'dqn', '--model', corrupt, ...base]);
    expect(truncated.code).toBe(1);
    expect(truncated.stderr).toMatch(/weights\.bin: expected \d+ bytes, actual 12/);
    writeFileSync(join(corrupt, 'checkpoint', 'manifest.json'), '{"format": "recgym-dqn/1"}');
    const older = await runCli(['eval', '--agent', 'dqn', '--model', corrupt, ...base]);
    expect(older.code).toBe(1);
    expect(older.stderr).toMatch(/expected format recgym-dqn\/4, actual recgym-dqn\/1 \(written by another version of recgym: retrain with recgym train\)/);
    writeFileSync(join(corrupt, 'checkpoint', 'manifest.json'), '{"format": "recgym-dqn/4"}');
    const noTensors = await runCli(['eval', '--agent', 'dqn', '--model', corrupt, ...base]);
    expect(noTensors.code).toBe(1);
    expect(noTensors.stderr).toMatch(/DQN checkpoint .*: config: /);
    expect(noTensors.stderr).not.toMatch(/internal error/);

    const wrongAgent = await runCli(['eval', '--agents', 'recent,popularity', '--model', out, ...base]);
    expect(wrongAgent.code).toBe(2);
    expect(wrongAgent.stderr).toMatch(/--model: expected an agent that loads checkpoints \(ranker, dqn\), actual recent, popularity/);
  });

  it('evaluates the loaded agent beside baselines with a paired difference', async () => {
    const { code, stdout } = await runCli(['eval', '--agents', 'dqn,recent', '--baseline', 'recent', '--model', out, '--data', data, '--protocol', 'sampled', '--resamples', '20', '--json']);
    expect(code).toBe(0);
    const report = JSON.parse(stdout);
    expect(report.agents.map((a: { agent: string }) => a.agent)).toEqual(['dqn', 'recent']);
    expect(report.agents[0].diff.baseline).toBe('recent');
  });
});
