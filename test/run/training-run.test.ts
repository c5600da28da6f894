import { appendNoValidationCases } from '../helpers/no-validation-cases.js';
import { TINY_DQN } from '../helpers/tiny-dqn.js';
import { describe, expect, it, vi } from 'vitest';
import type { DqnConfigInput } from '../../src/agents/dqn/config.js';
import { EventStoreBuilder, SECONDS_PER_DAY } from '../../src/data/event-store.js';
import { splitByDay } from '../../src/data/split.js';
import { isRecGymError, ErrorCode } from '../../src/core/errors.js';
import { createDefaultEventStore } from '../../src/sim/default-data.js';
import { buildTestCases, MISS, prepareEvaluation, rankCases, type EvaluationSetup } from '../../src/eval/index.js';
import { StateBatch } from '../../src/data/state-batch.js';

/** Scripted ranks per window start; when set, rankCases returns them instead of the agent's. */
const script = vi.hoisted(() => ({
  ranks: undefined as undefined | ((setup: { cases: { count: number; split: { test: { start: number } } } }, call: number) => Int32Array | undefined),
  calls: new Map<number, number>(),
  real: [] as Array<{ start: number; ranks: Int32Array }>,
}));

vi.mock('../../src/eval/evaluate.js', async (importOriginal) => {
  const original = await importOriginal<typeof import('../../src/eval/evaluate.js')>();
  return {
    ...original,
    rankCases: async (...args: Parameters<typeof original.rankCases>) => {
      const real = await original.rankCases(...args);
      const setup = args[1];
      const start = setup.cases.split.test.start;
      const call = script.calls.get(start) ?? 0;
      script.calls.set(start, call + 1);
      script.real.push({ start, ranks: real });
      return script.ranks?.(setup, call) ?? real;
    },
  };
});

const { chooseBestEpoch, runTraining, trainingWindows, SELECTION_METRIC } = await import('../../src/run/training-run.js');

const TINY: DqnConfigInput = { ...TINY_DQN, epochs: 3, maxStepsPerEpoch: 60 };

const store = createDefaultEventStore({ users: 60, days: 8, items: 300, categories: 10 });
const split = splitByDay(store);

function reset(): void {
  script.ranks = undefined;
  script.calls.clear();
  script.real.length = 0;
}

describe('chooseBestEpoch', () => {
  it('picks the highest validation value, the earliest on ties, and ignores test', () => {
    const records = [
      { validation: { [SELECTION_METRIC]: 0.1 }, test: { [SELECTION_METRIC]: 0.9 } },
      { validation: { [SELECTION_METRIC]: 0.3 }, test: { [SELECTION_METRIC]: 0.0 } },
      { validation: { [SELECTION_METRIC]: 0.3 }, test: { [SELECTION_METRIC]: 0.5 } },
    ];
    expect(chooseBestEpoch(records)).toBe(1);
  });

  it('never lets NaN win, returns 0 when all are NaN and -1 for no records', () => {
    expect(chooseBestEpoch([{ validation: { [SELECTION_METRIC]: NaN } }, { validation: { [SELECTION_METRIC]: 0 } }])).toBe(1);
    expect(chooseBestEpoch([{ validation: { [SELECTION_METRIC]: NaN } }])).toBe(0);
    expect(chooseBestEpoch([])).toBe(-1);
  });
});

describe('trainingWindows', () => {
  it('puts the validation days right before the test day and training before them', () => {
    const w = trainingWindows(split, 2);
    expect(w.validation).toEqual({ start: split.test.start - 2 * SECONDS_PER_DAY, end: split.test.start });
    expect(w.train).toEqual({ start: split.train.start, end: split.test.start - 2 * SECONDS_PER_DAY });
    expect(w.test).toEqual(split.test);
  });

  it('takes validation periods of periodSeconds for logs of a few hours', () => {
    const w = trainingWindows(split, 2, 900);
    expect(w.validation).toEqual({ start: split.test.start - 1800, end: split.test.start });
    expect(w.train.end).toBe(split.test.start - 1800);
    expect(() => trainingWindows(split, 1, 0)).toThrow(RangeError);
    try {
      trainingWindows(split, 10_000, 900);
      expect.unreachable();
    } catch (error) {
      expect((error as Error).message).toMatch(/expected training time before the validation window \[\S+Z, \S+Z\) \(10000 period\(s\) of 15 minutes\)/);
    }
  });

  it('rejects a bad number of days and a split without training days left', () => {
    expect(() => trainingWindows(split, 0)).toThrow(RangeError);
    expect(() => trainingWindows(split, 1.5)).toThrow(RangeError);
    try {
      trainingWindows(split, 8);
      expect.unreachable();
    } catch (error) {
      expect(isRecGymError(error, ErrorCode.NO_EVENTS)).toBe(true);
      expect((error as Error).message).toMatch(/expected training days before/);
    }
  });
});

describe('runTraining', () => {
  it('records every epoch with validation and test metrics and the purchase reward schedule', async () => {
    reset();
    const seen: number[] = [];
    const lines: string[] = [];
    const run = await runTraining({ store, split, agent: 'dqn', seed: 1, config: TINY, onEpoch: (r) => seen.push(r.epoch), log: (l) => lines.push(l) });
    expect(seen).toEqual([0, 1, 2]);
    expect(run.epochs.map((r) => r.details.purchaseReward)).toEqual([0.8, 0.81, 0.82]);
    expect(run.backend).toBe('cpu');
    expect(run.config.epochs).toBe(3);
    for (const r of run.epochs) {
      expect(Object.keys(r.validation).sort()).toEqual(['mrr', 'ndcg@20', 'recall@20']);
      expect(Object.keys(r.test).sort()).toEqual(['mrr', 'ndcg@20', 'recall@20']);
      for (const v of [...Object.values(r.validation), ...Object.values(r.test)]) expect(v).toBeGreaterThanOrEqual(0);
      expect(Number.isFinite(r.loss)).toBe(true);
      expect(r.details.envTransitions).toBe(60 * 8);
    }
    expect(run.bestEpoch).toBe(chooseBestEpoch(run.epochs));
    expect(lines.some((l) => l.startsWith('epoch 3/3'))).toBe(true);
    expect(run.cases.validation).toBe(buildTestCases(store, { train: run.windows.train, test: run.windows.validation }).count);
    run.agent.dispose?.();
  });

  it('trains only on days before the validation day', async () => {
    reset();
    const run = await runTraining({ store, split, agent: 'dqn', seed: 1, config: { ...TINY, epochs: 1 } });
    // Items first seen on the validation or test day are cold for the agent: scored below every known item.
    const w = run.windows;
    const known = new Set<number>();
    for (let p = 0; p < store.length; p++) if (store.times[p] < w.train.end) known.add(store.items[p]);
    const late = [...Array(store.numItems).keys()].find((x) => !known.has(x));
    expect(late).toBeDefined();
    const out = new Float64Array(store.numItems);
    const u = store.users[store.length - 1];
    await run.agent.scoreItems(StateBatch.before(store, Int32Array.of(u), Int32Array.of(store.userOffsets[u + 1])), out);
    const knownMin = Math.min(...[...known].map((x) => out[x]));
    expect(out[late as number]).toBeLessThan(knownMin);
    run.agent.dispose?.();
  });

  it('chooses the epoch by validation only and returns the agent with that epoch weights', async () => {
    reset();
    const validationStart = split.test.start - SECONDS_PER_DAY;
    // Validation: epoch 0 perfect, later epochs all misses; test: the reverse.
    script.ranks = (setup, call) => {
      const isValidation = setup.cases.split.test.start === validationStart;
      const isGood = isValidation ? call === 0 : call !== 0;
      return new Int32Array(setup.cases.count).fill(isGood ? 0 : MISS);
    };
    const run = await runTraining({ store, split, agent: 'dqn', seed: 2, config: TINY });
    script.ranks = undefined;
    expect(run.epochs.map((r) => r.validation[SELECTION_METRIC])).toEqual([1, 0, 0]);
    expect(run.epochs.map((r) => r.test[SELECTION_METRIC])).toEqual([0, 1, 1]);
    expect(run.bestEpoch).toBe(0);
    // The agent's true ranks on validation equal those it had after epoch 0 (restored), not after epoch 2.
    const realValidation = script.real.filter((r) => r.start === validationStart).map((r) => r.ranks);
    expect(realValidation).toHaveLength(3);
    const cases = buildTestCases(store, { train: run.windows.train, test: run.windows.validation });
    const setup: EvaluationSetup = prepareEvaluation(store, cases, 'full', { k: 20, seed: 2 });
    const now = await rankCases(run.agent, setup);
    expect(Array.from(now)).toEqual(Array.from(realValidation[0]));
    expect(Array.from(realValidation[0])).not.toEqual(Array.from(realValidation[2]));
    run.agent.dispose?.();
  });

  it('refits through the validation day for the chosen number of epochs when asked', async () => {
    reset();
    const lines: string[] = [];
    const run = await runTraining({ store, split, agent: 'dqn', seed: 4, config: { ...TINY, epochs: 2 }, refit: true, log: (l) => lines.push(l) });
    expect(run.refit?.epochs).toBe(run.bestEpoch + 1);
    expect(run.agent.config.epochs).toBe(run.bestEpoch + 1);
    expect(Object.keys(run.refit?.test ?? {}).sort()).toEqual(['mrr', 'ndcg@20', 'recall@20']);
    expect(lines.some((l) => l.startsWith('refit: test recall@20'))).toBe(true);
    // An item first seen on the validation day is known to the refitted agent: scored above the cold score.
    const w = run.windows;
    const before = new Set<number>();
    for (let p = 0; p < store.length; p++) if (store.times[p] < w.train.end) before.add(store.items[p]);
    let validationOnly = -1;
    for (let p = 0; p < store.length && validationOnly < 0; p++) {
      const t = store.times[p];
      if (t >= w.validation.start && t < w.validation.end && !before.has(store.items[p])) validationOnly = store.items[p];
    }
    expect(validationOnly).toBeGreaterThanOrEqual(0);
    const out = new Float64Array(store.numItems);
    const u = store.users[store.length - 1];
    await run.agent.scoreItems(StateBatch.before(store, Int32Array.of(u), Int32Array.of(store.userOffsets[u + 1])), out);
    expect(out[validationOnly]).toBeGreaterThan(-1e29);
    run.agent.dispose?.();
  });

  it('gives the same records for the same seed, data and backend', async () => {
    reset();
    const strip = (records: Awaited<ReturnType<typeof runTraining>>['epochs']) =>
      records.map(({ seconds, evalSeconds, transitionsPerSec, wallTransitionsPerSec, ...rest }) => rest);
    const a = await runTraining({ store, split, agent: 'dqn', seed: 7, config: { ...TINY, epochs: 2 } });
    const b = await runTraining({ store, split, agent: 'dqn', seed: 7, config: { ...TINY, epochs: 2 } });
    const c = await runTraining({ store, split, agent: 'dqn', seed: 8, config: { ...TINY, epochs: 2 } });
    expect(strip(b.epochs)).toEqual(strip(a.epochs));
    expect(b.bestEpoch).toBe(a.bestEpoch);
    expect(strip(c.epochs)).not.toEqual(strip(a.epochs));
    for (const run of [a, b, c]) run.agent.dispose?.();
  });

  it('rejects a split whose validation day has no cases', async () => {
    reset();
    const builder = new EventStoreBuilder();
    appendNoValidationCases(builder);
    const small = builder.build();
    await expect(runTraining({ store: small, split: splitByDay(small), agent: 'dqn', seed: 0, config: TINY })).rejects.toSatisfy(
      (e: unknown) => isRecGymError(e, ErrorCode.NO_TEST_CASES) && /expected validation cases/.test((e as Error).message),
    );
  });
});

describe('runTraining (ranker)', () => {
  const RANKER = { epochs: 2, passesPerEpoch: 1, batchSize: 64, uniformNegatives: 16 };

  it('trains the ranker epoch by epoch with validation, on typed arrays, with its own figures only', async () => {
    reset();
    const run = await runTraining({ store, split, agent: 'ranker', seed: 1, config: RANKER, refit: true });
    expect(run.name).toBe('ranker');
    expect(run.backend).toBe('js');
    expect(run.epochs).toHaveLength(2);
    for (const r of run.epochs) {
      expect(r.details).toEqual({});
      expect(r.gradientSteps).toBeGreaterThan(0);
      expect(r.transitions).toBe(r.gradientSteps * 64);
      expect(Number.isFinite(r.loss)).toBe(true);
    }
    expect(run.refit?.epochs).toBe(run.bestEpoch + 1);
    expect(run.agent.config.epochs).toBe(run.bestEpoch + 1);
  });

  it('gives the same records for the same seed', async () => {
    reset();
    const strip = (records: Awaited<ReturnType<typeof runTraining>>['epochs']) =>
      records.map(({ seconds, evalSeconds, transitionsPerSec, wallTransitionsPerSec, ...rest }) => rest);
    const a = await runTraining({ store, split, agent: 'ranker', seed: 3, config: RANKER });
    const b = await runTraining({ store, split, agent: 'ranker', seed: 3, config: RANKER });
    expect(strip(b.epochs)).toEqual(strip(a.epochs));
  });
});
