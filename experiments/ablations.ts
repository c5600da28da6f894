/**
 * Ablations of the DQN: each variant changes one thing of the default DQN and is compared with it
 * on the same cases (paired differences with 95 % bootstrap CIs, full / sampled / seed protocols):
 *   - the epoch-scheduled purchase reward min(1, 0.8 + 0.01·epoch) against a fixed one,
 *   - the history-aware features (count, recency, strongest behaviour, previous item) off,
 *   - the supervised (SQN-style) next-item head off (the article's plain DQN ranking with Q),
 *   - the reward schedule again where Q ranks (supervised head off), since with the head on the
 *     ranking never sees a reward.
 * A variant whose switch does not exist in src/agents/dqn/config.ts is reported as missing, not run.
 *
 *   npm run build && node dist/experiments/ablations.js [--quick] [--data FILE] [--seeds 0,1,2] [--epochs E]
 */
import type { BackendPreference } from '../src/agents/dqn/backend.js';
import { DqnConfigSchema, type DqnConfigInput } from '../src/agents/dqn/config.js';
import { splitByDay } from '../src/data/split.js';
import { runComparison, type CompareReport, type DiffRow } from '../src/eval/compare.js';
import { formatCompareTable } from '../src/eval/compare-report.js';
import { QUICK_DQN, isEntryPoint, loadData, log, parseExperimentFlags, runScript, withSharedFlags, writeResult } from './common.js';

/** One ablation: the config it changes, and the config field that must exist for it to run. */
export interface Ablation {
  readonly name: string;
  readonly what: string;
  /** Config field the change needs (checked against DqnConfigSchema). */
  readonly field: string;
  readonly change: Record<string, unknown>;
  /** The ablation it is paired with instead of the default DQN (its change is applied first). */
  readonly reference?: string;
}

/** The ablations of issue 9. */
export const ABLATIONS: readonly Ablation[] = [
  { name: 'fixed-reward', what: 'fixed purchase reward (no epoch schedule)', field: 'rewardSchedule', change: { rewardSchedule: 'fixed' } },
  { name: 'no-history-features', what: 'history-aware features off', field: 'historyFeatures', change: { historyFeatures: false } },
  { name: 'no-supervised-head', what: 'supervised head off (rank with Q)', field: 'supervisedHead', change: { supervisedHead: false } },
  { name: 'q-fixed-reward', what: 'fixed purchase reward, ranking with Q (paired with no-supervised-head)', field: 'rewardSchedule', change: { rewardSchedule: 'fixed' }, reference: 'no-supervised-head' },
];

/** What the experiment runs. */
export interface Config {
  /** Log file; undefined = the embedded default data. */
  readonly data: string | undefined;
  /** One training run per variant and seed. */
  readonly seeds: number[];
  /** DQN epochs. */
  readonly epochs: number;
  /** tfjs backend. */
  readonly backend: BackendPreference;
  /** The reference DQN every ablation changes. */
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
  /** Ablations that ran, with their paired differences to their reference (`dqn` or another ablation). */
  readonly ran: Array<{ readonly name: string; readonly what: string; readonly reference: string; readonly differences: DiffRow[] }>;
  /** Ablations whose config switch does not exist yet. */
  readonly missing: Array<{ readonly name: string; readonly what: string; readonly field: string }>;
  /** One comparison per reference: the default DQN's first. */
  readonly reports: CompareReport[];
  readonly command: string;
}

/** Runs the experiment; `command` is recorded as what reproduces it. */
export async function run(config: Config, command = 'node dist/experiments/ablations.js'): Promise<AblationResult> {
  // 1. Which switches exist in the DQN's config schema.
  const fields = new Set(Object.keys(DqnConfigSchema.shape));
  const unknown = (config.only ?? []).filter((n) => !ABLATIONS.some((a) => a.name === n));
  if (unknown.length > 0) throw new TypeError(`--only: expected names among ${ABLATIONS.map((a) => a.name).join(', ')}, actual ${unknown.join(', ')}`);
  const chosen = ABLATIONS.filter((a) => config.only === undefined || config.only.includes(a.name));
  const runnable = chosen.filter((a) => fields.has(a.field));
  const missing = chosen.filter((a) => !fields.has(a.field)).map(({ name, what, field }) => ({ name, what, field }));
  for (const m of missing) log(`ablations: ${m.name} not run: DqnConfig has no field "${m.field}" (${m.what})`);

  // 2. Data and split: the last day is the test day, the one before it picks each variant's epoch.
  const { store, name } = await loadData(config.data);
  const split = splitByDay(store);

  // 3. Per reference (the default DQN, or an ablation another one is paired with), train it and its
  //    variants per seed, paired on the same cases.
  const withRun = (change: Record<string, unknown>): DqnConfigInput =>
    ({ ...config.dqn, ...change, epochs: config.epochs, backend: config.backend }) as DqnConfigInput;
  const changeOf = (name: string): Record<string, unknown> => {
    const a = ABLATIONS.find((x) => x.name === name);
    return a ? { ...(a.reference ? changeOf(a.reference) : {}), ...a.change } : {};
  };
  const references = [...new Set(['dqn', ...runnable.map((a) => a.reference ?? 'dqn')])];
  const reports: CompareReport[] = [];
  for (const reference of references) {
    const variants = runnable.filter((a) => (a.reference ?? 'dqn') === reference);
    if (variants.length === 0) continue;
    const report = await runComparison({
      store,
      split,
      data: name,
      command,
      seeds: config.seeds,
      variants: [{ name: reference, config: withRun(changeOf(reference)) }, ...variants.map((a) => ({ name: a.name, config: withRun(changeOf(a.name)) }))],
      baselines: ['recent'],
      baseline: reference,
      resamples: config.resamples,
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
      reference: a.reference ?? 'dqn',
      differences: reports.flatMap((r) => r.differences.filter((d) => d.agent === a.name)),
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
  log(`ablations: ${JSON.stringify({ ...config, dqn: undefined })}`);
  const result = await run(config, ['node dist/experiments/ablations.js', ...argv].join(' '));
  log(`wrote ${writeResult(config.out, 'ablations', result)}`);
}

if (isEntryPoint(import.meta.url)) runScript(main);
