import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { learnerSpec, type LearnerName } from '../agents/registry.js';
import type { EpochStats, TrainableAgent, TrainProgress } from '../agents/trainable.js';
import { ErrorCode, RecGymError } from '../core/errors.js';
import { assertSeed, createRng } from '../core/rng.js';
import { SECONDS_PER_DAY, type EventStore } from '../data/event-store.js';
import { formatDay, formatWindow, isoWindow, type DaySplit, type TimeWindow } from '../data/split.js';
import { caseValues, prepareEvaluation, rankCases, type EvaluationSetup } from '../eval/evaluate.js';
import { metricName, PROTOCOLS } from '../eval/protocols.js';
import type { Progress } from '../report/progress.js';
import { chartGrid, lineChart } from '../report/svg-chart.js';
import { buildTestCases, type EvalSplit } from '../eval/test-cases.js';
import { fmt } from '../report/format.js';

/** Cut-off of the per-epoch full-protocol metrics (`recall@20`, `ndcg@20`). */
export const TRAINING_EVAL_K = 20;

/** The metric whose validation value picks the epoch. */
export const SELECTION_METRIC = metricName('recall', TRAINING_EVAL_K);

/** Options of {@link runTraining}. */
export interface TrainingOptions {
  readonly store: EventStore;
  /** `split.test` is evaluated after every epoch and reported; it never chooses anything. */
  readonly split: DaySplit;
  /** The learning agent to train. */
  readonly agent: LearnerName;
  /** The agent's options (validated by the agent; `src/agents/ranker/config.ts`, `src/agents/dqn/config.ts`). */
  readonly config?: Readonly<Record<string, unknown>>;
  readonly seed: number;
  /** Days right before the test day that pick the epoch (default 1); training uses the days before them. */
  readonly validationDays?: number;
  /** After every epoch, with its validation and test metrics. */
  readonly onEpoch?: (record: EpochRecord) => void;
  /** Diagnostics and one line per epoch. */
  readonly log?: (line: string) => void;
  /** Where progress of every epoch and evaluation goes (a bar on a TTY, a few plain lines otherwise); none without it. */
  readonly progress?: Progress;
  /**
   * After choosing the epoch, train a fresh agent (same config and seed stream `"<seed>:refit"`) on
   * all days before the test day, validation included, for the chosen number of epochs, and return
   * it instead (default false: the validation day stays unseen by the returned agent).
   */
  readonly refit?: boolean;
}

/** The refitted agent's test metrics (see {@link TrainingOptions.refit}). */
export interface RefitResult {
  readonly epochs: number;
  /** Gradient steps of the refit (0: the saved agent is untrained). */
  readonly gradientSteps: number;
  readonly test: Record<string, number>;
  readonly seconds: number;
}

/** One epoch: training statistics, then full-protocol metrics on the validation and test windows. */
export interface EpochRecord {
  readonly epoch: number;
  /** Mean training loss over the epoch's gradient steps. */
  readonly loss: number;
  readonly gradientSteps: number;
  /** Training transitions the gradient steps consumed. */
  readonly transitions: number;
  /** Training transitions per second of gradient work (the DQN: its train steps only; the ranker: its whole epoch). */
  readonly transitionsPerSec: number;
  /** The same transitions per second of the epoch's wall time (acting, replay and gradient work). */
  readonly wallTransitionsPerSec: number;
  /** Training seconds of the epoch. */
  readonly seconds: number;
  /** Seconds spent evaluating validation and test after the epoch. */
  readonly evalSeconds: number;
  /** The agent's own figures of the epoch (the DQN's TD loss, mean reward, ε, purchase reward; none for the ranker). */
  readonly details: Readonly<Record<string, number>>;
  /** Full protocol on the validation window: `recall@20`, `ndcg@20`, `mrr`. */
  readonly validation: Record<string, number>;
  /** Full protocol on the test day (reported only). */
  readonly test: Record<string, number>;
}

/** The windows of a training run. */
export interface TrainingWindows {
  readonly train: TimeWindow;
  readonly validation: TimeWindow;
  readonly test: TimeWindow;
}

/** The result of {@link runTraining}: the agent in the state of the chosen epoch (or refitted with `refit`). */
export interface TrainingRun {
  /** Which learning agent was trained. */
  readonly name: LearnerName;
  readonly agent: TrainableAgent;
  readonly epochs: EpochRecord[];
  /** Epoch with the best validation `recall@20` (the earliest on ties). */
  readonly bestEpoch: number;
  /** The tfjs backend the agent ran on (`js` for agents on typed arrays only). */
  readonly backend: string;
  /** Wall seconds of the whole run (training, evaluations, checkpointing). */
  readonly seconds: number;
  /** The agent's config after defaults. */
  readonly config: TrainableAgent['config'];
  readonly seed: number;
  readonly windows: TrainingWindows;
  /** With `refit`: the returned agent was retrained through the validation day(s); its test metrics. */
  readonly refit?: RefitResult;
  /** Validation and test cases (events of users with an earlier event in the respective training part). */
  readonly cases: { readonly validation: number; readonly test: number };
  /** Gradient steps that made the returned agent (through the chosen epoch, or the refit's); 0: it is untrained. */
  readonly gradientSteps: number;
  /** What the user must know about the result, e.g. an untrained agent (one line each). */
  readonly warnings: readonly string[];
}

/** Index of the record with the highest `validation[metric]` (earliest on ties; NaN never wins); -1 for none. */
export function chooseBestEpoch(records: readonly Pick<EpochRecord, 'validation'>[], metric: string = SELECTION_METRIC): number {
  let best = -1;
  let bestValue = -Infinity;
  for (let i = 0; i < records.length; i++) {
    const v = records[i].validation[metric];
    if (v > bestValue) {
      bestValue = v;
      best = i;
    }
  }
  return best < 0 && records.length > 0 ? 0 : best;
}

/**
 * The validation window: `validationDays` periods of `periodSeconds` (days by default) right before
 * `split`'s test window; the training window is everything before it.
 */
export function trainingWindows(split: DaySplit, validationDays = 1, periodSeconds = SECONDS_PER_DAY): TrainingWindows {
  if (!(Number.isInteger(validationDays) && validationDays >= 1)) {
    throw new RangeError(`expected validationDays to be an integer >= 1, actual ${validationDays}`);
  }
  if (!(Number.isInteger(periodSeconds) && periodSeconds >= 1)) throw new RangeError(`expected periodSeconds >= 1, actual ${periodSeconds}`);
  const validationStart = split.test.start - validationDays * periodSeconds;
  if (validationStart <= split.train.start) {
    const validation = formatWindow({ start: validationStart, end: split.test.start });
    throw new RecGymError(
      ErrorCode.NO_EVENTS,
      periodSeconds === SECONDS_PER_DAY
        ? `training: expected training days before the validation window ${validation} (${validationDays} day(s)), actual none (the log starts ${formatDay(Math.floor(split.train.start / SECONDS_PER_DAY))}; for a log of a few hours set the DQN config's periodMinutes, e.g. 30)`
        : `training: expected training time before the validation window ${validation} (${validationDays} period(s) of ${periodSeconds / 60} minutes), actual none (the log's first day starts ${formatDay(Math.floor(split.train.start / SECONDS_PER_DAY))})`,
    );
  }
  return {
    train: { start: split.train.start, end: validationStart },
    validation: { start: validationStart, end: split.test.start },
    test: { ...split.test },
  };
}

function metricsOf(setup: EvaluationSetup, ranks: Int32Array): Record<string, number> {
  const out: Record<string, number> = {};
  for (const kind of setup.protocol.metrics) {
    const values = caseValues(setup, ranks, kind);
    let sum = 0;
    for (let i = 0; i < values.length; i++) sum += values[i];
    out[metricName(kind, setup.k)] = values.length > 0 ? sum / values.length : NaN;
  }
  return out;
}

/** The common figures of {@link EpochStats}; everything else an agent reports goes to {@link EpochRecord.details}. */
const COMMON_STATS = new Set(['epoch', 'loss', 'gradientSteps', 'transitions', 'seconds', 'trainTransitionsPerSec']);

/** The warning of a run whose returned agent made no gradient step. */
function untrainedWarning(agent: LearnerName, train: TimeWindow): string {
  const why = agent === 'ranker' ? 'no user has two events in it' : 'see learningStarts, trainFrequency and maxStepsPerEpoch';
  return `0 gradient steps: the ${agent} saved is untrained (its initial weights); its training window ${formatWindow(train)} holds too little data for its config (${why})`;
}

function detailsOf(stats: EpochStats): Record<string, number> {
  const details: Record<string, number> = {};
  for (const [key, value] of Object.entries(stats)) if (!COMMON_STATS.has(key) && typeof value === 'number') details[key] = value;
  return details;
}

function backendOf(agent: TrainableAgent): string {
  return (agent as { backend?: string }).backend ?? 'js';
}

/**
 * Trains a learning agent on the days before the validation day(s); after every epoch evaluates it in
 * the full protocol on the validation window and on the test day; returns the agent with the weights
 * of the epoch with the best validation `recall@20` (kept in a temporary checkpoint and restored).
 * Deterministic for a given seed, data, config and backend.
 */
export async function runTraining(options: TrainingOptions): Promise<TrainingRun> {
  const started = performance.now();
  const { store, split, seed } = options;
  assertSeed(seed, 'runTraining seed');
  const spec = learnerSpec(options.agent);
  const agent = spec.create(options.config ?? {});
  const config = agent.config;
  const windows = trainingWindows(split, options.validationDays ?? 1, config.periodMinutes * 60);
  const validationSplit: EvalSplit = { train: windows.train, test: windows.validation };
  const testSplit: EvalSplit = { train: split.train, test: split.test };
  const validationCases = buildTestCases(store, validationSplit);
  const testCases = buildTestCases(store, testSplit);
  if (validationCases.count === 0) {
    throw new RecGymError(
      ErrorCode.NO_TEST_CASES,
      `training: expected validation cases (events of ${formatWindow(windows.validation)} by users with a training event), actual none`,
    );
  }
  const validationSetup = prepareEvaluation(store, validationCases, 'full', { k: TRAINING_EVAL_K, seed });
  const testSetup = testCases.count > 0 ? prepareEvaluation(store, testCases, 'full', { k: TRAINING_EVAL_K, seed }) : undefined;
  const emptyTest = Object.fromEntries(PROTOCOLS.full.metrics.map((kind) => [metricName(kind, TRAINING_EVAL_K), NaN]));
  const log = options.log;
  log?.(
    `${options.agent}: train ${formatWindow(windows.train)}, validation ${formatWindow(windows.validation)} (${validationCases.count} cases), test ${formatWindow(split.test)} (${testCases.count} cases)`,
  );

  const progress = options.progress;
  const records: EpochRecord[] = [];
  const checkpointDir = await mkdtemp(join(tmpdir(), 'recgym-train-'));
  let bestEpoch = -1;
  let bestValue = -Infinity;
  const onProgress = (prefix: string) => ({ epoch, step, stepsPerEpoch, loss }: TrainProgress) =>
    progress?.update(`${prefix}epoch ${epoch + 1}/${config.epochs}`, step, stepsPerEpoch, { unit: 'steps', note: Number.isFinite(loss) ? `loss ${fmt(loss)}` : undefined });
  const onRank = (label: string) => (done: number, total: number) => progress?.update(label, done, total, { unit: 'cases' });
  try {
    await agent.train(store, windows.train, createRng(`${seed}:agent`), {
      log,
      onProgress: onProgress(''),
      onEpoch: async (stats: EpochStats) => {
        const evalStarted = performance.now();
        const label = `epoch ${stats.epoch + 1}/${config.epochs}`;
        const validation = metricsOf(validationSetup, await rankCases(agent, validationSetup, { onProgress: onRank(`${label} validation`) }));
        const test = testSetup ? metricsOf(testSetup, await rankCases(agent, testSetup, { onProgress: onRank(`${label} test`) })) : { ...emptyTest };
        progress?.finish();
        const record: EpochRecord = {
          epoch: stats.epoch,
          loss: stats.loss,
          gradientSteps: stats.gradientSteps,
          transitions: stats.transitions,
          transitionsPerSec: stats.trainTransitionsPerSec,
          wallTransitionsPerSec: stats.seconds > 0 ? stats.transitions / stats.seconds : 0,
          seconds: stats.seconds,
          evalSeconds: (performance.now() - evalStarted) / 1000,
          details: detailsOf(stats),
          validation,
          test,
        };
        records.push(record);
        const value = validation[SELECTION_METRIC];
        const isBest = value > bestValue || bestEpoch < 0;
        if (isBest) {
          if (value > bestValue) bestValue = value;
          bestEpoch = stats.epoch;
          if (stats.epoch < config.epochs - 1) await agent.save(checkpointDir);
        }
        const details = Object.entries(record.details)
          .map(([key, v]) => `${key} ${Number.isInteger(v) ? v : fmt(v, 3)}`)
          .join(' ');
        log?.(
          `epoch ${stats.epoch + 1}/${config.epochs}: loss ${fmt(record.loss)}${details ? ` ${details}` : ''} ` +
            `${Math.round(record.transitionsPerSec)} tr/s of gradient time, ${Math.round(record.wallTransitionsPerSec)} tr/s of wall time, ${fmt(record.seconds, 1)}s | validation ${SELECTION_METRIC} ${fmt(value)} ndcg@${TRAINING_EVAL_K} ${fmt(validation[`ndcg@${TRAINING_EVAL_K}`])} | ` +
            `test ${SELECTION_METRIC} ${fmt(test[SELECTION_METRIC])} ndcg@${TRAINING_EVAL_K} ${fmt(test[`ndcg@${TRAINING_EVAL_K}`])}${isBest ? ' *' : ''}`,
        );
        options.onEpoch?.(record);
      },
    });
    let chosen: TrainableAgent = agent;
    if (bestEpoch !== records.length - 1) {
      chosen = await spec.load(checkpointDir, store);
      agent.dispose?.();
      log?.(`restored epoch ${bestEpoch + 1} (best validation ${SELECTION_METRIC} ${fmt(bestValue)})`);
    }
    let refit: RefitResult | undefined;
    if (options.refit) {
      const refitStarted = performance.now();
      const refitted = spec.create({ ...config, epochs: bestEpoch + 1 });
      log?.(`refit: ${bestEpoch + 1} epoch(s) on ${formatWindow(split.train)} (validation included)`);
      try {
        const refitStats = await refitted.train(store, split.train, createRng(`${seed}:refit`), { log, onProgress: onProgress('refit ') });
        const test = testSetup ? metricsOf(testSetup, await rankCases(refitted, testSetup, { onProgress: onRank('refit test') })) : { ...emptyTest };
        progress?.finish();
        const gradientSteps = refitStats.reduce((sum, e) => sum + e.gradientSteps, 0);
        refit = { epochs: bestEpoch + 1, gradientSteps, test, seconds: (performance.now() - refitStarted) / 1000 };
        log?.(`refit: test ${SELECTION_METRIC} ${fmt(test[SELECTION_METRIC])} ndcg@${TRAINING_EVAL_K} ${fmt(test[`ndcg@${TRAINING_EVAL_K}`])} (${fmt(refit.seconds, 1)}s)`);
      } catch (error) {
        refitted.dispose?.();
        chosen.dispose?.();
        throw error;
      }
      chosen.dispose?.();
      chosen = refitted;
    }
    const gradientSteps = refit ? refit.gradientSteps : records.slice(0, bestEpoch + 1).reduce((sum, r) => sum + r.gradientSteps, 0);
    const warnings = gradientSteps === 0 ? [untrainedWarning(options.agent, refit ? split.train : windows.train)] : [];
    return {
      name: options.agent,
      agent: chosen,
      ...(refit ? { refit } : {}),
      epochs: records,
      bestEpoch,
      backend: backendOf(chosen),
      seconds: (performance.now() - started) / 1000,
      config,
      seed,
      windows,
      cases: { validation: validationCases.count, test: testCases.count },
      gradientSteps,
      warnings,
    };
  } catch (error) {
    agent.dispose?.();
    throw error;
  } finally {
    progress?.finish();
    await rm(checkpointDir, { recursive: true, force: true });
  }
}

/** The JSON-ready summary of a run (results.json of `recgym train`): windows as ISO times, per-epoch records, the chosen epoch. */
export function trainingSummary(run: TrainingRun): {
  seed: number;
  agent: LearnerName;
  backend: string;
  config: TrainableAgent['config'];
  windows: Record<keyof TrainingWindows, { start: string; end: string }>;
  cases: TrainingRun['cases'];
  selection: string;
  bestEpoch: number;
  /** False when the returned agent made no gradient step (its weights are the initial ones). */
  trained: boolean;
  gradientSteps: number;
  warnings: readonly string[];
  best: { validation: Record<string, number>; test: Record<string, number> } | undefined;
  refit: RefitResult | null;
  epochs: EpochRecord[];
  timings: { seconds: number; trainSeconds: number; evalSeconds: number; refitSeconds: number };
} {
  const best = run.epochs[run.bestEpoch];
  return {
    seed: run.seed,
    agent: run.name,
    backend: run.backend,
    config: run.config,
    windows: { train: isoWindow(run.windows.train), validation: isoWindow(run.windows.validation), test: isoWindow(run.windows.test) },
    cases: run.cases,
    selection: `validation ${SELECTION_METRIC} (full protocol)`,
    bestEpoch: run.bestEpoch,
    trained: run.gradientSteps > 0,
    gradientSteps: run.gradientSteps,
    warnings: run.warnings,
    best: best ? { validation: best.validation, test: best.test } : undefined,
    refit: run.refit ?? null,
    epochs: run.epochs,
    timings: {
      seconds: run.seconds,
      trainSeconds: run.epochs.reduce((s, r) => s + r.seconds, 0),
      evalSeconds: run.epochs.reduce((s, r) => s + r.evalSeconds, 0),
      refitSeconds: run.refit?.seconds ?? 0,
    },
  };
}

/**
 * Learning curves as one SVG (epochs from 1): the training losses (total and every `*Loss` detail),
 * the behaviour policy's mean reward when the agent reports one, Recall@20 and NDCG@20 on validation
 * and test, the chosen epoch marked.
 */
export function trainingCurvesSvg(records: readonly EpochRecord[], bestEpoch: number, title: string): string {
  const x = records.map((r) => r.epoch + 1);
  const markers = bestEpoch >= 0 ? [{ x: bestEpoch + 1, label: 'chosen' }] : [];
  const common = { xLabel: 'epoch', integerX: true, markers };
  const metric = (name: string, label: string) =>
    lineChart({
      ...common,
      title: `${title}: ${label} per epoch`,
      yLabel: label,
      yFromZero: true,
      emptyNote: 'no validation or test cases to evaluate',
      series: [
        { name: 'validation', x, y: records.map((r) => r.validation[name]) },
        { name: 'test (reported only)', x, y: records.map((r) => r.test[name]), dashed: true },
      ],
    });
  const detailKeys = records.length > 0 ? Object.keys(records[0].details) : [];
  const lossKeys = detailKeys.filter((key) => key.endsWith('Loss'));
  const charts = [
    lineChart({
      ...common,
      title: `${title}: training loss`,
      yLabel: 'loss',
      yFromZero: true,
      emptyNote: records.every((r) => r.gradientSteps === 0) ? 'no gradient steps: the agent did not train (too little data)' : 'no finite loss to draw',
      series: [
        { name: 'total', x, y: records.map((r) => r.loss) },
        ...lossKeys.map((key) => ({ name: key.slice(0, -'Loss'.length), x, y: records.map((r) => r.details[key]) })),
      ],
    }),
    metric(SELECTION_METRIC, `Recall@${TRAINING_EVAL_K} (full)`),
    metric(`ndcg@${TRAINING_EVAL_K}`, `NDCG@${TRAINING_EVAL_K} (full)`),
  ];
  if (detailKeys.includes('meanReward')) {
    charts.unshift(
      lineChart({
        ...common,
        title: `${title}: reward per transition (behaviour policy)`,
        yLabel: 'mean reward',
        yFromZero: true,
        series: [{ name: 'mean reward', x, y: records.map((r) => r.details.meanReward) }],
      }),
    );
  }
  return chartGrid(charts, 2);
}
