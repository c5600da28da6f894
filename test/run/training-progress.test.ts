import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { RankerAgent } from '../../src/agents/ranker/ranker-agent.js';
import { DqnAgent } from '../../src/agents/dqn/dqn-agent.js';
import { throttledProgress, type TrainProgress } from '../../src/agents/trainable.js';
import { createRng } from '../../src/core/rng.js';
import { splitByDay } from '../../src/data/split.js';
import { createProgress } from '../../src/report/progress.js';
import { runTraining } from '../../src/run/training-run.js';
import { createDefaultEventStore } from '../../src/sim/default-data.js';
import { runCli } from '../helpers/collecting-io.js';
import { TINY_DQN } from '../helpers/tiny-dqn.js';

const store = createDefaultEventStore({ users: 60, days: 8, items: 300, categories: 10 });
const split = splitByDay(store);

afterEach(() => vi.restoreAllMocks());

/** Checks the calls of one training run: per epoch, step 0 first, then rising steps within [0, stepsPerEpoch], the end last. */
function expectSaneCalls(calls: readonly TrainProgress[], epochs: number): void {
  expect(new Set(calls.map((c) => c.epoch))).toEqual(new Set(Array.from({ length: epochs }, (_, e) => e)));
  for (let epoch = 0; epoch < epochs; epoch++) {
    const mine = calls.filter((c) => c.epoch === epoch);
    expect(mine[0].step).toBe(0);
    expect(mine[mine.length - 1].step).toBe(mine[0].stepsPerEpoch);
    expect(Number.isFinite(mine[mine.length - 1].loss)).toBe(true);
    for (let k = 1; k < mine.length; k++) expect(mine[k].step).toBeGreaterThan(mine[k - 1].step);
    for (const c of mine) expect(c.step / c.stepsPerEpoch).toBeLessThanOrEqual(1);
  }
}

describe('throttledProgress', () => {
  it('passes the first step and the end, and at most one call a second between them', () => {
    let t = 0;
    vi.spyOn(performance, 'now').mockImplementation(() => t);
    const calls: TrainProgress[] = [];
    const progress = throttledProgress({ onProgress: (p) => calls.push(p) });
    for (let step = 0; step < 100; step++, t += 250) progress?.(0, step, 100, () => step);
    progress?.(0, 100, 100, () => 100);
    expect(calls.map((c) => c.step)).toEqual([0, 4, 8, ...Array.from({ length: 22 }, (_, k) => 12 + 4 * k), 100]);
  });

  it('is undefined without a hook, so learners call nothing', () => {
    expect(throttledProgress({})).toBeUndefined();
  });
});

describe('the learners call onProgress', () => {
  it('the ranker: sane fractions per epoch, the same weights as without the hook, and silence without it', async () => {
    const calls: TrainProgress[] = [];
    const config = { epochs: 2, passesPerEpoch: 1, batchSize: 64 };
    const withHook = new RankerAgent(config);
    await withHook.train(store, split.train, createRng(1), { onProgress: (p) => calls.push(p) });
    // Without hooks nothing is printed anywhere.
    const stderr = vi.spyOn(process.stderr, 'write');
    const stdout = vi.spyOn(process.stdout, 'write');
    const without = new RankerAgent(config);
    await without.train(store, split.train, createRng(1));
    await runTraining({ store, split, agent: 'ranker', config: { epochs: 1, passesPerEpoch: 1 }, seed: 0 });
    expect(stderr).not.toHaveBeenCalled();
    expect(stdout).not.toHaveBeenCalled();
    expectSaneCalls(calls, 2);
    expect(Array.from(withHook.contextWeights)).toEqual(Array.from(without.contextWeights));
    expect(Array.from(withHook.historyWeights)).toEqual(Array.from(without.historyWeights));
  });

  it('the DQN: sane fractions per epoch, and the same losses as without the hook', async () => {
    const calls: TrainProgress[] = [];
    const config = { ...TINY_DQN, epochs: 2 };
    const withHook = new DqnAgent(config);
    const a = await withHook.train(store, split.train, createRng(1), { onProgress: (p) => calls.push(p) });
    const without = new DqnAgent(config);
    const b = await without.train(store, split.train, createRng(1));
    expectSaneCalls(calls, 2);
    expect(a.map((e) => e.loss)).toEqual(b.map((e) => e.loss));
    withHook.dispose();
    without.dispose();
  }, 60_000);
});

describe('runTraining with a progress', () => {
  it('reports every epoch in steps and every evaluation in cases, as few plain lines when stderr is not a TTY', async () => {
    let t = 0;
    const sink = { isTTY: false, text: '', stderr: (s: string) => void (sink.text += s) };
    // Every clock reading advances 5 s: each task outlasts the 3 s delay, and lines stay few.
    const progress = createProgress(sink, { now: () => (t += 5000) });
    await runTraining({ store, split, agent: 'ranker', config: { epochs: 2, passesPerEpoch: 3, batchSize: 32 }, seed: 0, progress });
    const lines = sink.text.trimEnd().split("\n");
    const units: Record<string, string> = { 'epoch 1/2': 'steps', 'epoch 2/2': 'steps', 'epoch 1/2 validation': 'cases', 'epoch 2/2 test': 'cases' };
    for (const [label, unit] of Object.entries(units)) {
      const mine = lines.filter((line) => line.startsWith(`${label}: `));
      expect(mine.length).toBeGreaterThanOrEqual(1);
      expect(mine.length).toBeLessThanOrEqual(12);
      expect(mine[mine.length - 1]).toMatch(new RegExp(`^${label}: 100% \\(\\d+/\\d+ ${unit}, [\\d.]+ ${unit}/s, \\S+ elapsed, ETA \\S+\\)`));
    }
    expect(sink.text).not.toContain('\r');
  });
});

describe('recgym train and eval --quiet', () => {
  it('leaves stderr empty (no log lines, no progress) on a TTY', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'recgym-quiet-'));
    try {
      const data = join(dir, 'log.csv');
      expect((await runCli(['generate', '--out', data, '--users', '40', '--days', '6', '--items', '200', '--categories', '8'])).code).toBe(0);
      const train = await runCli(['train', '--agent', 'ranker', '--data', data, '--epochs', '1', '--out', join(dir, 'out'), '--quiet'], true);
      expect(train.code).toBe(0);
      expect(train.stderr).toBe('');
      const evaluated = await runCli(['eval', '--agent', 'recent', '--data', data, '--protocol', 'seed', '--resamples', '10', '--quiet'], true);
      expect(evaluated.code).toBe(0);
      expect(evaluated.stderr).toBe('');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 120_000);
});
