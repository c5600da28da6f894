/**
 * The agents compared on each real log sample in ../shared/data: the ranker and the Q-ranked DQN
 * (trained per seed, the day before the test day picks each one's epoch) against recent,
 * co-occurrence, popularity and random under the
 * full, sampled and seed protocols on the same cases, with 95 % bootstrap CIs and paired differences
 * to `recent` on all, warm and discovery cases. Skipped with a message when ../shared/data (or $RECGYM_SHARED_DATA) is absent.
 * The 2-hour time slice is trained with 15-minute periods (its last training quarter validates).
 *
 *   npm run build && node dist/experiments/real-samples.js [--quick] [--only users386,tianchi] [--seeds 0,1,2] [--epochs E]
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { BackendPreference } from '../src/agents/dqn/backend.js';
import type { DqnConfigInput } from '../src/agents/dqn/config.js';
import type { RankerConfigInput } from '../src/agents/ranker/config.js';
import { isRecGymError } from '../src/core/errors.js';
import { readEventLog } from '../src/data/read-event-log.js';
import { splitByDay, type DaySplit } from '../src/data/split.js';
import { runComparison, type CompareReport } from '../src/run/compare.js';
import { formatCompareTable } from '../src/run/compare-report.js';
import { trainingWindows } from '../src/run/training-run.js';
import { parseTestStart, splitAtTime } from '../src/eval/test-cases.js';
import { LEARNER_JOBS, QUICK_DQN, QUICK_RANKER, isEntryPoint, log, parseExperimentFlags, runScript, writeResult } from './common.js';
import { sharedDataAbsent, sharedDataDir } from './shared-data.js';

/** One real sample: its short name, its file under the shared data folder, and how to split it. */
export interface Sample {
  readonly name: string;
  readonly file: string;
  /** Test window start (UTC `YYYY-MM-DDTHH:MM`); undefined = the last day is the test day. */
  readonly testStart?: string;
  /** Minutes of a period, for a log of a few hours: the learners count their context and validate by them (default a day). */
  readonly periodMinutes?: number;
}

/** The real samples, the 386-user one first. */
export const SAMPLES: readonly Sample[] = [
  { name: 'users386', file: 'taobao-userbehavior-samples/userbehavior_users386_haohanblue.csv' },
  { name: 'tail', file: 'taobao-userbehavior-samples/userbehavior_tail_betashepherd.csv' },
  { name: 'head', file: 'taobao-userbehavior-samples/userbehavior_head_fattydelivery.csv' },
  // One hour of training events (01:00–02:00): 15-minute periods, the last quarter validates.
  { name: 'timeslice', file: 'taobao-userbehavior-samples/userbehavior_timeslice_20171126_jason-wang1.csv', testStart: '2017-11-26T02:00', periodMinutes: 15 },
  { name: 'tianchi', file: 'tianchi-mobile-sample/sample_user_behavior.csv' },
];

/** What the experiment runs. */
export interface Config {
  /** Folder holding the samples (default {@link sharedDataDir}: ../shared/data beside the repository root, or $RECGYM_SHARED_DATA). */
  readonly sharedDir: string;
  /** Sample names to run (default all, in {@link SAMPLES} order). */
  readonly only: string[] | undefined;
  /** One training run per learner and one evaluation per seed. */
  readonly seeds: number[];
  /** Epochs of each learner. */
  readonly epochs: number;
  /** The DQN's tfjs backend. */
  readonly backend: BackendPreference;
  /** Ranker options (src/agents/ranker/config.ts). */
  readonly ranker: RankerConfigInput;
  /** DQN options (src/agents/dqn/config.ts). */
  readonly dqn: DqnConfigInput;
  /** Bootstrap resamples. */
  readonly resamples: number;
  /** Folder of the results JSON. */
  readonly out: string;
}

/** The configuration of a real run, or of a `--quick` smoke run. */
export function defaultConfig(quick: boolean): Config {
  return {
    sharedDir: sharedDataDir(),
    only: undefined,
    seeds: quick ? [0] : [0, 1, 2],
    epochs: quick ? 1 : 3,
    backend: 'auto',
    ranker: quick ? QUICK_RANKER : {},
    dqn: quick ? QUICK_DQN : {},
    resamples: quick ? 50 : 1000,
    out: 'results/experiments',
  };
}

/** One sample's outcome: the comparison, or why it did not run. */
export interface SampleResult {
  readonly name: string;
  readonly file: string;
  readonly skipped?: string;
  /** Why the learners were left out (the baselines still ran). */
  readonly learnersSkipped?: string;
  readonly report?: CompareReport;
}

/** What the experiment writes. */
export interface RealSamplesResult {
  readonly experiment: 'real-samples';
  readonly config: Config;
  readonly skipped?: string;
  readonly samples: SampleResult[];
  readonly command: string;
}

/** Runs the experiment; `command` is recorded as what reproduces it. */
export async function run(config: Config, command = 'node dist/experiments/real-samples.js'): Promise<RealSamplesResult> {
  // 1. Without the shared data there is nothing to compare: say so and stop.
  if (!existsSync(config.sharedDir)) {
    const skipped = `${sharedDataAbsent(config.sharedDir)}; nothing to run`;
    log(`real-samples: skipped: ${skipped}`);
    return { experiment: 'real-samples', config, skipped, samples: [], command };
  }
  const unknown = (config.only ?? []).filter((n) => !SAMPLES.some((s) => s.name === n));
  if (unknown.length > 0) throw new TypeError(`--only: expected names among ${SAMPLES.map((s) => s.name).join(', ')}, actual ${unknown.join(', ')}`);
  const chosen = SAMPLES.filter((s) => config.only === undefined || config.only.includes(s.name));
  const samples: SampleResult[] = [];
  for (const sample of chosen) {
    // 2. Load the sample and split it: its last day (or the given time) starts the test window.
    const path = join(config.sharedDir, sample.file);
    if (!existsSync(path)) {
      log(`real-samples: ${sample.name}: ${path} is absent, skipped`);
      samples.push({ name: sample.name, file: sample.file, skipped: `${path} is absent` });
      continue;
    }
    const { store } = await readEventLog(path);
    const split: DaySplit = sample.testStart !== undefined ? splitAtTime(store, parseTestStart(sample.testStart)) : splitByDay(store);

    // 3. The learners need a validation period (a day, or the sample's period) before the test window and training time before that.
    const period = sample.periodMinutes !== undefined ? { periodMinutes: sample.periodMinutes } : {};
    const ranker: RankerConfigInput = { ...config.ranker, ...period, epochs: config.epochs };
    const dqn: DqnConfigInput = { ...config.dqn, ...period, epochs: config.epochs, backend: config.backend };
    let learnersSkipped: string | undefined;
    try {
      trainingWindows(split, 1, (sample.periodMinutes ?? 1440) * 60);
    } catch (error) {
      if (!isRecGymError(error)) throw error;
      learnersSkipped = error.message;
      log(`real-samples: ${sample.name}: ranker and DQN skipped: ${learnersSkipped}`);
    }

    // 4. Train and compare on the same cases under every protocol.
    log(`real-samples: ${sample.name} (${store.length} events, ${store.numUsers} users, ${store.numItems} items)`);
    const report = await runComparison({
      store,
      split,
      data: path,
      command,
      seeds: config.seeds,
      variants: learnersSkipped
        ? []
        : [
            { name: 'ranker', agent: 'ranker', config: ranker },
            { name: 'dqn', agent: 'dqn', config: dqn },
          ],
      resamples: config.resamples,
      jobs: LEARNER_JOBS,
      log,
    });
    process.stdout.write(`\n== ${sample.name}\n${formatCompareTable(report)}`);
    samples.push({ name: sample.name, file: sample.file, ...(learnersSkipped ? { learnersSkipped } : {}), report });
  }
  return { experiment: 'real-samples', config, samples, command };
}

/** `node dist/experiments/real-samples.js [--quick] [--shared DIR] [--only a,b] [--seeds 0,1,2] [--epochs E] [--backend B] [--out DIR]` */
export async function main(argv: string[]): Promise<void> {
  const flags = parseExperimentFlags(argv, ['shared', 'only']);
  if (flags.data !== undefined) throw new TypeError('--data: expected --shared DIR (the samples are fixed files), actual --data');
  const base = defaultConfig(flags.quick);
  const config: Config = {
    ...base,
    sharedDir: flags.extra.shared ?? base.sharedDir,
    only: flags.extra.only !== undefined ? flags.extra.only.split(',').map((s) => s.trim()) : base.only,
    seeds: flags.seeds ?? base.seeds,
    epochs: flags.epochs ?? base.epochs,
    backend: flags.backend ?? base.backend,
    out: flags.out,
  };
  log(`real-samples: ${JSON.stringify({ ...config, ranker: undefined, dqn: undefined })}`);
  const result = await run(config, ['node dist/experiments/real-samples.js', ...argv].join(' '));
  const name = config.only ? `real-samples-${config.only.join('-')}` : 'real-samples';
  log(`wrote ${writeResult(config.out, name, result)}`);
}

if (isEntryPoint(import.meta.url)) runScript(main);
