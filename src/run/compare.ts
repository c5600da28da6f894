import { withName } from '../agents/agent.js';
import type { BackendPreference } from '../agents/dqn/backend.js';
import type { LearnerName } from '../agents/registry.js';
import type { TrainableAgent } from '../agents/trainable.js';
import type { EventStore } from '../data/event-store.js';
import { assertSeed } from '../core/rng.js';
import { isoWindow, type DaySplit, type IsoWindow } from '../data/split.js';
import type { Interval } from '../eval/bootstrap.js';
import { evaluate, summarize, type AgentSource, type SeedResult } from '../eval/evaluate.js';
import type { Progress } from '../report/progress.js';
import { PROTOCOLS, metricName, type ProtocolName } from '../eval/protocols.js';
import { buildReport, type EvalReport, type SeedInterval } from '../eval/report.js';
import { buildTestCases, type CaseCounts } from '../eval/test-cases.js';
import { fittedPerSeed } from './fitted-per-seed.js';
import { runTrainingInWorker } from './parallel-training.js';
import { runTraining, type EpochRecord, type RefitResult, type TrainingRun, type TrainingWindows } from './training-run.js';

/** The baselines `recgym compare` evaluates beside the learning agents, strongest first. */
export const COMPARE_BASELINES: readonly string[] = ['recent', 'cooccurrence', 'popularity', 'random'];

/** Protocols in report order. */
export const COMPARE_PROTOCOLS: readonly ProtocolName[] = ['full', 'sampled', 'seed'];

/** Case kinds whose paired differences the comparison reports. */
export const DIFF_SUBSETS = ['all', 'warm', 'discovery'] as const;

/** One learning agent to train: its report name, which learner, and its config (the CLI's `--epochs` etc. already applied). */
export interface LearnerVariant {
  readonly name: string;
  readonly agent: LearnerName;
  readonly config: Readonly<Record<string, unknown>>;
}

/** What `recgym compare` trains by default: the feature ranker and the Q-ranked DQN. */
export const DEFAULT_VARIANTS: readonly LearnerVariant[] = [
  { name: 'ranker', agent: 'ranker', config: {} },
  { name: 'dqn', agent: 'dqn', config: {} },
];

/** Options of {@link runComparison}. */
export interface CompareOptions {
  readonly store: EventStore;
  readonly split: DaySplit;
  /** What reports call the data (a file name or `default`). */
  readonly data: string;
  /** The command that reproduces the run, recorded in the report. */
  readonly command: string;
  /** One training run and one evaluation per seed (default [0]). */
  readonly seeds?: readonly number[];
  /** Learning agents to train (default {@link DEFAULT_VARIANTS}). */
  readonly variants?: readonly LearnerVariant[];
  /** Registered baselines evaluated beside them (default {@link COMPARE_BASELINES}). */
  readonly baselines?: readonly string[];
  /** Agent every other agent is paired with (default `recent`). */
  readonly baseline?: string;
  readonly protocols?: readonly ProtocolName[];
  /** The tfjs backend of the DQN variants (overrides their config's). */
  readonly backend?: BackendPreference;
  /** Learners trained at once, each in a worker thread (default 1: one after another in this thread); the results do not depend on it. */
  readonly jobs?: number;
  /** Days before the test day that pick each learner's epoch (default 1). */
  readonly validationDays?: number;
  /**
   * After the validation day(s) pick the epoch, retrain that many epochs through the validation
   * day(s) so the learners see the same days as the baselines (default true).
   */
  readonly refit?: boolean;
  /** Bootstrap resamples (default 1000). */
  readonly resamples?: number;
  /** Called with each trained agent before it is evaluated (e.g. to save a checkpoint). */
  readonly onTrained?: (variant: string, seed: number, agent: TrainableAgent) => void | Promise<void>;
  /** Diagnostics: the backend, one line per epoch, timings. */
  readonly log?: (line: string) => void;
  /** Progress of each training epoch and evaluation (run in this thread; workers report none). */
  readonly progress?: Progress;
  /** Progress of each ranking pass. */
  readonly onRankProgress?: (label: string, done: number, total: number) => void;
}

/** One training run of a learner variant. */
export interface TrainingSummary {
  readonly seed: number;
  readonly backend: string;
  /** 0-based epoch whose weights were evaluated (best validation recall@20). */
  readonly bestEpoch: number;
  readonly seconds: number;
  readonly windows: { readonly train: IsoWindow; readonly validation: IsoWindow; readonly test: IsoWindow };
  readonly cases: { readonly validation: number; readonly test: number };
  readonly epochs: EpochRecord[];
  /** The retraining through the validation day(s) that made the evaluated agent; null with `refit: false`. */
  readonly refit: RefitResult | null;
}

/** A learner variant's config and training runs. */
export interface VariantSummary {
  readonly name: string;
  readonly agent: LearnerName;
  readonly config: TrainableAgent['config'];
  readonly runs: TrainingSummary[];
}

/** A headline metric of one agent under one protocol, averaged over seeds. */
export interface HeadlineRow {
  readonly agent: string;
  readonly protocol: ProtocolName;
  readonly metric: string;
  readonly value: SeedInterval | Interval;
}

/** Paired difference of one agent to the baseline under one protocol (headline metric) on all, warm and discovery cases. */
export interface DiffRow {
  readonly agent: string;
  readonly baseline: string;
  readonly protocol: ProtocolName;
  readonly metric: string;
  readonly all: SeedInterval | Interval;
  readonly warm: SeedInterval | Interval;
  readonly discovery: SeedInterval | Interval;
}

/** Everything `recgym compare` reports (and writes as compare.json). */
export interface CompareReport {
  readonly command: string;
  readonly data: string;
  readonly store: { readonly events: number; readonly users: number; readonly items: number };
  readonly split: { readonly train: IsoWindow; readonly test: IsoWindow };
  readonly cases: CaseCounts;
  readonly seeds: number[];
  readonly baseline: string;
  readonly agents: string[];
  readonly protocols: ProtocolName[];
  /** Backend(s) the learners trained on (`js`: typed arrays, no tfjs). */
  readonly backend: string;
  /** The trained agents: config and per-seed training runs. */
  readonly learners: VariantSummary[];
  /** Agents x protocols: the headline metric with its 95 % CI. */
  readonly table: HeadlineRow[];
  /** Paired differences to the baseline. */
  readonly differences: DiffRow[];
  /** Paired differences of each learner to every other baseline and to each other learner. */
  readonly learnerDifferences: DiffRow[];
  /** Full per-protocol reports (every metric, every case kind), as `recgym eval --json` prints them. */
  readonly results: Partial<Record<ProtocolName, EvalReport>>;
  readonly timings: {
    /** Training seconds summed over the learners (more than the wall time when they train at once). */
    readonly trainSeconds: number;
    readonly evalSeconds: Partial<Record<ProtocolName, number>>;
    readonly totalSeconds: number;
  };
}

function windowsOf(windows: TrainingWindows): TrainingSummary['windows'] {
  return { train: isoWindow(windows.train), validation: isoWindow(windows.validation), test: isoWindow(windows.test) };
}

/**
 * Trains each learner variant with {@link runTraining} per seed, then evaluates the trained agents (as
 * they are, not re-fitted) and the baselines under every protocol on the same test cases, with
 * bootstrap CIs and paired differences to the baseline, and of each learner to every other agent;
 * results over several seeds are averaged.
 */
export async function runComparison(options: CompareOptions): Promise<CompareReport> {
  const started = performance.now();
  const { store, split } = options;
  const seeds = options.seeds ?? [0];
  for (const seed of seeds) assertSeed(seed, 'runComparison seeds');
  const variants = options.variants ?? DEFAULT_VARIANTS;
  const baselines = options.baselines ?? COMPARE_BASELINES;
  const baseline = options.baseline ?? 'recent';
  const protocols = options.protocols ?? COMPARE_PROTOCOLS;
  if (seeds.length === 0) throw new RangeError('expected at least one seed, actual none');
  if (protocols.length === 0) throw new RangeError('expected at least one protocol, actual none');
  const agentNames = [...variants.map((v) => v.name), ...baselines];
  if (new Set(agentNames).size !== agentNames.length) throw new RangeError(`expected distinct agent names, actual ${agentNames.join(', ')}`);
  if (!agentNames.includes(baseline)) throw new RangeError(`expected the baseline "${baseline}" among the agents ${agentNames.join(', ')}`);
  const log = options.log;
  const cases = buildTestCases(store, split);
  const runs = new Map<ProtocolName, SeedResult[]>(protocols.map((p) => [p, []]));
  // Each learner against every other agent but the main baseline: same cases, candidate sets, tie draws and resamples.
  const pairs = variants.flatMap((v, i) => agentNames.filter((other, j) => other !== baseline && other !== v.name && !(j < variants.length && j > i)).map((other) => ({ agent: v.name, other })));
  const pairRuns = new Map<string, Map<ProtocolName, SeedResult[]>>(pairs.map((p) => [`${p.agent}|${p.other}`, new Map(protocols.map((q) => [q, []]))]));
  const evalSeconds: Partial<Record<ProtocolName, number>> = {};
  const summaries: Array<{ name: string; agent: LearnerName; config: TrainableAgent['config'] | undefined; runs: TrainingSummary[] }> = variants.map((v) => ({
    name: v.name,
    agent: v.agent,
    config: undefined,
    runs: [],
  }));
  let trainSeconds = 0;
  for (const seed of seeds) {
    const trained: TrainableAgent[] = [];
    try {
      // Each learner's run; with `jobs` > 1 up to that many at once, each in a worker thread.
      const jobs = Math.max(1, Math.min(options.jobs ?? 1, variants.length));
      const train = (variant: LearnerVariant): Promise<TrainingRun> => {
        const config = variant.agent === 'dqn' && options.backend !== undefined ? { ...variant.config, backend: options.backend } : variant.config;
        const common = { store, split, agent: variant.agent, config, seed, validationDays: options.validationDays, refit: options.refit ?? true };
        log?.(`training ${variant.name} (seed ${seed})`);
        return jobs > 1
          ? runTrainingInWorker({ ...common, log: log && ((line: string) => log(`[${variant.name}] ${line}`)) })
          : runTraining({ ...common, log, progress: options.progress });
      };
      const learned = await inPool(variants, jobs, train, trained);
      trained.splice(0, trained.length, ...learned.map((run) => run.agent));
      for (const [v, variant] of variants.entries()) {
        const run = learned[v];
        trainSeconds += run.seconds;
        summaries[v].config = run.config;
        summaries[v].runs.push({
          seed,
          backend: run.backend,
          bestEpoch: run.bestEpoch,
          seconds: run.seconds,
          windows: windowsOf(run.windows),
          cases: run.cases,
          epochs: run.epochs,
          refit: run.refit ?? null,
        });
        log?.(`${variant.name}: trained (${run.backend}) in ${run.seconds.toFixed(1)} s, evaluating epoch ${run.bestEpoch + 1}`);
        for (const warning of run.warnings) log?.(`${variant.name}: warning: ${warning}`);
        await options.onTrained?.(variant.name, seed, run.agent);
      }
      const agents: AgentSource[] = [...trained.map((agent, v) => withName(agent, variants[v].name)), ...baselines.map((name) => fittedPerSeed(name, store, split.train))];
      for (const protocol of protocols) {
        const t0 = performance.now();
        const [result] = await evaluate({
          store,
          split,
          cases,
          protocol,
          agents,
          baseline,
          seeds: [seed],
          resamples: options.resamples,
          onProgress: options.onRankProgress && ((label, done, total) => options.onRankProgress?.(`${protocol} ${label}`, done, total)),
          // The same ranks, paired once more per pair: no second ranking pass.
          onRanks: (setup, ranks) => {
            for (const { agent, other } of pairs) {
              const pair = new Map([[agent, ranks.get(agent) as Int32Array], [other, ranks.get(other) as Int32Array]]);
              pairRuns.get(`${agent}|${other}`)?.get(protocol)?.push(summarize(setup, pair, { baseline: other, resamples: options.resamples }));
            }
          },
        });
        (runs.get(protocol) as SeedResult[]).push(result);
        const seconds = (performance.now() - t0) / 1000;
        evalSeconds[protocol] = (evalSeconds[protocol] ?? 0) + seconds;
        log?.(`evaluated ${protocol} (seed ${seed}) in ${seconds.toFixed(1)} s`);
      }
    } finally {
      for (const agent of trained) agent.dispose?.();
    }
  }

  const results: Partial<Record<ProtocolName, EvalReport>> = {};
  const table: HeadlineRow[] = [];
  const differences: DiffRow[] = [];
  for (const protocol of protocols) {
    const report = buildReport(runs.get(protocol) as SeedResult[], { data: options.data, catalogue: 'train', split, baseline });
    results[protocol] = report;
    const metric = metricName(PROTOCOLS[protocol].metrics[0], report.k);
    for (const a of report.agents) {
      table.push({ agent: a.agent, protocol, metric, value: a.metrics[metric] });
      if (!a.diff) continue;
      const [all, warm, discovery] = DIFF_SUBSETS.map((s) => (s === 'all' ? a.diff?.metrics[metric] : a.diff?.bySubset[s][metric]) as Interval);
      differences.push({ agent: a.agent, baseline, protocol, metric, all, warm, discovery });
    }
  }
  const learnerDifferences: DiffRow[] = [];
  for (const { agent, other } of pairs) {
    for (const protocol of protocols) {
      const report = buildReport(pairRuns.get(`${agent}|${other}`)?.get(protocol) as SeedResult[], { data: options.data, catalogue: 'train', split, baseline: other });
      const metric = metricName(PROTOCOLS[protocol].metrics[0], report.k);
      for (const a of report.agents) {
        if (!a.diff) continue;
        const [all, warm, discovery] = DIFF_SUBSETS.map((s) => (s === 'all' ? a.diff?.metrics[metric] : a.diff?.bySubset[s][metric]) as Interval);
        learnerDifferences.push({ agent: a.agent, baseline: other, protocol, metric, all, warm, discovery });
      }
    }
  }
  const backends = [...new Set(summaries.flatMap((s) => s.runs.map((r) => r.backend)))];
  return {
    command: options.command,
    data: options.data,
    store: { events: store.length, users: store.numUsers, items: store.numItems },
    split: { train: isoWindow(split.train), test: isoWindow(split.test) },
    cases: { ...results[protocols[0]]?.cases } as CaseCounts,
    seeds: [...seeds],
    baseline,
    agents: agentNames,
    protocols: [...protocols],
    backend: backends.length > 0 ? backends.join(', ') : 'none (nothing trained)',
    learners: summaries.map((s) => ({ name: s.name, agent: s.agent, config: s.config as TrainableAgent['config'], runs: s.runs })),
    table,
    differences,
    learnerDifferences,
    results,
    timings: { trainSeconds, evalSeconds, totalSeconds: (performance.now() - started) / 1000 },
  };
}

/**
 * `run` over `items` with at most `limit` running at once; the results in `items` order. Every
 * agent a finished run returns is pushed to `trained` as soon as it finishes (so the caller can
 * dispose of them if another run fails).
 */
async function inPool<T>(items: readonly T[], limit: number, run: (item: T) => Promise<TrainingRun>, trained: TrainableAgent[]): Promise<TrainingRun[]> {
  const results: TrainingRun[] = new Array(items.length);
  let next = 0;
  const lane = async (): Promise<void> => {
    while (next < items.length) {
      const index = next++;
      results[index] = await run(items[index]);
      trained.push(results[index].agent);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, lane));
  return results;
}
