/**
 * Ablations of the two learning agents: each variant removes or changes one part of the default ranker
 * or the default DQN and is compared with it on the same cases (paired differences with 95 %
 * bootstrap CIs, full / sampled / seed protocols). A part is credited only where removing it moves
 * the figure:
 *   - ranker: its history features, its context features, day-by-day training, batches of runs of
 *     one user's transitions;
 *   - DQN (ranks by Q): the epoch-scheduled purchase reward (against a fixed one), Q's history and
 *     context features, the auxiliary feature softmax on Q's feature weights, the auxiliary next-item
 *     head, the dueling value head, zero-initialised item
 *     embeddings, 100 candidates per step, bootstrapping (γ = 0), the target network (copied every step).
 * A variant whose switch does not exist in its agent's config is reported as missing, not run.
 *
 *   npm run build && node dist/experiments/ablations.js [--quick] [--data FILE] [--seeds 0,1,2] [--epochs E] [--only a,b]
 */
import type { BackendPreference } from '../src/agents/dqn/backend.js';
import { DqnConfigSchema, type DqnConfigInput } from '../src/agents/dqn/config.js';
import { RankerConfigSchema, type RankerConfigInput } from '../src/agents/ranker/config.js';
import type { LearnerName } from '../src/agents/registry.js';
import { splitByDay } from '../src/data/split.js';
import { runComparison, type CompareReport, type DiffRow } from '../src/run/compare.js';
import { formatCompareTable } from '../src/run/compare-report.js';
import { LEARNER_JOBS, QUICK_DQN, QUICK_RANKER, isEntryPoint, loadData, log, parseExperimentFlags, runScript, withSharedFlags, writeResult } from './common.js';

/** One ablation: the learner it changes, the config change, and the config field that must exist for it to run. */
export interface Ablation {
  readonly name: string;
  readonly agent: LearnerName;
  readonly what: string;
  /** Config field the change needs (checked against the agent's config schema). */
  readonly field: string;
  readonly change: Record<string, unknown>;
}

/** The ablations: each is paired with its agent's default (`ranker` or `dqn`). */
export const ABLATIONS: readonly Ablation[] = [
  { name: 'ranker-no-history', agent: 'ranker', what: 'ranker without history features', field: 'historyFeatures', change: { historyFeatures: false } },
  { name: 'ranker-no-context', agent: 'ranker', what: 'ranker without context features', field: 'contextFeatures', change: { contextFeatures: false } },
  { name: 'ranker-no-day-by-day', agent: 'ranker', what: 'ranker trained without the day-by-day label mask', field: 'dayByDay', change: { dayByDay: false } },
  { name: 'ranker-no-segments', agent: 'ranker', what: 'ranker batches of independent transitions (no runs of one user)', field: 'segmentLength', change: { segmentLength: 1 } },
  { name: 'dqn-fixed-reward', agent: 'dqn', what: 'DQN with a fixed purchase reward (no epoch schedule)', field: 'rewardSchedule', change: { rewardSchedule: 'fixed' } },
  { name: 'dqn-no-history', agent: 'dqn', what: 'DQN without history features in Q', field: 'historyFeatures', change: { historyFeatures: false } },
  { name: 'dqn-no-context', agent: 'dqn', what: 'DQN without context features in Q', field: 'contextFeatures', change: { contextFeatures: false } },
  { name: 'dqn-no-aux-features', agent: 'dqn', what: "DQN without the auxiliary feature softmax on Q's feature weights (TD alone trains them)", field: 'auxFeatureWeight', change: { auxFeatureWeight: 0 } },
  { name: 'dqn-no-aux-head', agent: 'dqn', what: 'DQN without the auxiliary next-item head on the GRU', field: 'supervisedHead', change: { supervisedHead: false } },
  { name: 'dqn-no-dueling', agent: 'dqn', what: 'DQN without the state-value head', field: 'dueling', change: { dueling: false } },
  { name: 'dqn-random-init', agent: 'dqn', what: 'DQN with item embeddings initialised uniform ±sqrt(3 / D) instead of 0', field: 'itemInitScale', change: { itemInitScale: 1 } },
  { name: 'dqn-20-candidates', agent: 'dqn', what: 'DQN acting over 20 candidates per step instead of 100', field: 'numCandidates', change: { numCandidates: 20 } },
  { name: 'dqn-gamma-0', agent: 'dqn', what: 'DQN with γ = 0 (no bootstrapping)', field: 'gamma', change: { gamma: 0 } },
  { name: 'dqn-no-target', agent: 'dqn', what: 'DQN whose target network is the online one (copied every step)', field: 'targetUpdateInterval', change: { targetUpdateInterval: 1, tau: 1 } },
];

const SCHEMA_FIELDS: Record<LearnerName, ReadonlySet<string>> = {
  ranker: new Set(Object.keys(RankerConfigSchema.shape)),
  dqn: new Set(Object.keys(DqnConfigSchema.shape)),
};

/** What the experiment runs. */
export interface Config {
  /** Log file; undefined = the embedded default data. */
  readonly data: string | undefined;
  /** One training run per variant and seed. */
  readonly seeds: number[];
  /** Epochs of every learner. */
  readonly epochs: number;
  /** The DQN's tfjs backend. */
  readonly backend: BackendPreference;
  /** The reference ranker the ranker ablations change. */
  readonly ranker: RankerConfigInput;
  /** The reference DQN the DQN ablations change. */
  readonly dqn: DqnConfigInput;
  /** Names of the ablations to run (default all). */
  readonly only: string[] | undefined;
  /** Bootstrap resamples. */
  readonly resamples: number;
  /** Folder of the results JSON. */
  readonly out: string;
}

/** The configuration of a real run, or of a `--quick` smoke run. */
export function defaultConfig(quick: boolean): Config {
  return {
    data: undefined,
    seeds: quick ? [0] : [0, 1, 2],
    epochs: quick ? 1 : 2,
    backend: 'auto',
    ranker: quick ? QUICK_RANKER : {},
    dqn: quick ? QUICK_DQN : {},
    only: undefined,
    resamples: quick ? 50 : 1000,
    out: 'results/experiments',
  };
}

/** What the experiment writes. */
export interface AblationResult {
  readonly experiment: 'ablations';
  readonly config: Config;
  readonly data: string;
  /** Ablations that ran, with their paired differences to their agent's default (`ranker` or `dqn`). */
  readonly ran: Array<{ readonly name: string; readonly what: string; readonly reference: string; readonly differences: DiffRow[] }>;
  /** Ablations whose config switch does not exist yet. */
  readonly missing: Array<{ readonly name: string; readonly what: string; readonly field: string }>;
  /** One comparison per learner: the ranker's first. */
  readonly reports: CompareReport[];
  readonly command: string;
}

/** Runs the experiment; `command` is recorded as what reproduces it. */
export async function run(config: Config, command = 'node dist/experiments/ablations.js'): Promise<AblationResult> {
  // 1. Which switches exist in each learner's config schema.
  const unknown = (config.only ?? []).filter((n) => !ABLATIONS.some((a) => a.name === n));
  if (unknown.length > 0) throw new TypeError(`--only: expected names among ${ABLATIONS.map((a) => a.name).join(', ')}, actual ${unknown.join(', ')}`);
  const chosen = ABLATIONS.filter((a) => config.only === undefined || config.only.includes(a.name));
  const runnable = chosen.filter((a) => SCHEMA_FIELDS[a.agent].has(a.field));
  const missing = chosen.filter((a) => !SCHEMA_FIELDS[a.agent].has(a.field)).map(({ name, what, field }) => ({ name, what, field }));
  for (const m of missing) log(`ablations: ${m.name} not run: the config has no field "${m.field}" (${m.what})`);

  // 2. Data and split: the last day is the test day, the one before it picks each variant's epoch.
  const { store, name } = await loadData(config.data);
  const split = splitByDay(store);

  // 3. Per learner, train its default and its variants per seed, paired on the same cases.
  const base = (agent: LearnerName): Record<string, unknown> =>
    agent === 'dqn' ? { ...config.dqn, epochs: config.epochs, backend: config.backend } : { ...config.ranker, epochs: config.epochs };
  const reports: CompareReport[] = [];
  for (const agent of ['ranker', 'dqn'] as const) {
    const variants = runnable.filter((a) => a.agent === agent);
    if (variants.length === 0) continue;
    const report = await runComparison({
      store,
      split,
      data: name,
      command,
      seeds: config.seeds,
      variants: [{ name: agent, agent, config: base(agent) }, ...variants.map((a) => ({ name: a.name, agent, config: { ...base(agent), ...a.change } }))],
      baselines: ['recent'],
      baseline: agent,
      resamples: config.resamples,
      jobs: LEARNER_JOBS,
      log,
    });
    process.stdout.write(formatCompareTable(report));
    reports.push(report);
  }
  return {
    experiment: 'ablations',
    config,
    data: name,
    ran: runnable.map((a) => ({
      name: a.name,
      what: a.what,
      reference: a.agent,
      differences: reports.flatMap((r) => r.differences.filter((d: DiffRow) => d.agent === a.name)),
    })),
    missing,
    reports,
    command,
  };
}

/** `node dist/experiments/ablations.js [--quick] [--data FILE] [--only a,b] [--seeds 0,1,2] [--epochs E] [--backend B] [--out DIR]` */
export async function main(argv: string[]): Promise<void> {
  const flags = parseExperimentFlags(argv, ['only']);
  const base = withSharedFlags(defaultConfig(flags.quick), flags);
  const config: Config = {
    ...base,
    only: flags.extra.only !== undefined ? flags.extra.only.split(',').map((s) => s.trim()) : base.only,
  };
  log(`ablations: ${JSON.stringify({ ...config, ranker: undefined, dqn: undefined })}`);
  const result = await run(config, ['node dist/experiments/ablations.js', ...argv].join(' '));
  log(`wrote ${writeResult(config.out, 'ablations', result)}`);
}

if (isEntryPoint(import.meta.url)) runScript(main);
