/**
 * The original article's experiment, reproduced: a DQN (item embeddings -> GRU -> Q(s, a) = state ·
 * item) trained on the replay env with 5 candidates per step and the epoch-scheduled purchase reward
 * min(1, 0.8 + 0.01·epoch), judged as the article judged it: the `seed` protocol (the positive among 5
 * candidates, Recall@4), on all test cases and on warm cases, with a random agent's 0.80 beside it.
 * recgym's default DQN (Q with history and context features, auxiliary head), its ranker and the
 * baselines run on the same cases.
 *
 *   npm run build && node dist/experiments/article-reproduction.js [--quick] [--data FILE] [--seeds 0,1,2] [--epochs E]
 */
import type { BackendPreference } from '../src/agents/dqn/backend.js';
import type { DqnConfigInput } from '../src/agents/dqn/config.js';
import type { RankerConfigInput } from '../src/agents/ranker/config.js';
import { splitByDay } from '../src/data/split.js';
import type { Interval } from '../src/eval/bootstrap.js';
import { runComparison } from '../src/run/compare.js';
import { formatInterval } from '../src/report/format.js';
import { expectedUniform } from '../src/eval/metrics.js';
import { PROTOCOLS } from '../src/eval/protocols.js';
import type { AgentReport } from '../src/eval/report.js';
import { LEARNER_JOBS, QUICK_DQN, QUICK_RANKER, isEntryPoint, loadData, log, parseExperimentFlags, runScript, withSharedFlags, writeResult } from './common.js';

/** What the experiment runs. */
export interface Config {
  /** Log file; undefined = the embedded default data. */
  readonly data: string | undefined;
  /** One training run and one candidate draw per seed. */
  readonly seeds: number[];
  /** DQN epochs (the purchase reward rises by 0.01 per epoch). */
  readonly epochs: number;
  /** tfjs backend. */
  readonly backend: BackendPreference;
  /** The article's plain DQN: 5 candidates, Q = state · item, no auxiliary head, no history or context features. */
  readonly articleDqn: DqnConfigInput;
  /** recgym's default DQN, for contrast. */
  readonly defaultDqn: DqnConfigInput;
  /** recgym's feature ranker, for contrast. */
  readonly ranker: RankerConfigInput;
  /** Baselines evaluated beside them. */
  readonly baselines: string[];
  /** Bootstrap resamples. */
  readonly resamples: number;
  /** Folder of the results JSON. */
  readonly out: string;
}

/** The article's network: everything that is not the article's is switched off (recgym's additions to Q included). */
export const ARTICLE_DQN: DqnConfigInput = {
  numCandidates: 5,
  supervisedHead: false,
  historyFeatures: false,
  contextFeatures: false,
  auxFeatureWeight: 0,
  dueling: false,
  itemInitScale: 1,
};

/** The configuration of a real run, or of a `--quick` smoke run. */
export function defaultConfig(quick: boolean): Config {
  return {
    data: undefined,
    seeds: quick ? [0] : [0, 1, 2],
    epochs: quick ? 1 : 2,
    backend: 'auto',
    articleDqn: quick ? { ...QUICK_DQN, ...ARTICLE_DQN } : ARTICLE_DQN,
    defaultDqn: quick ? QUICK_DQN : {},
    ranker: quick ? QUICK_RANKER : {},
    baselines: ['recent', 'cooccurrence', 'popularity', 'random'],
    resamples: quick ? 50 : 1000,
    out: 'results/experiments',
  };
}

/** One agent's Recall@4 on all and warm cases, and its paired difference to random. */
export interface ArticleRow {
  readonly agent: string;
  readonly all: Interval;
  readonly warm: Interval;
  readonly diffToRandom: { readonly all: Interval; readonly warm: Interval } | undefined;
}

/** What the experiment writes. */
export interface ArticleResult {
  readonly experiment: 'article-reproduction';
  readonly config: Config;
  readonly data: string;
  readonly cases: { readonly all: number; readonly warm: number };
  /** A random ranking's exact Recall@4 with 5 candidates (every case, hence every subset). */
  readonly randomExpected: number;
  readonly rows: ArticleRow[];
  readonly backend: string;
  readonly seconds: number;
  readonly command: string;
}

/** Runs the experiment; `command` is recorded as what reproduces it. */
export async function run(config: Config, command = 'node dist/experiments/article-reproduction.js'): Promise<ArticleResult> {
  // 1. Data and split: the last day is the test day, the one before it picks the DQN's epoch.
  const { store, name } = await loadData(config.data);
  const split = splitByDay(store);

  // 2. Train both DQNs and the ranker per seed (seeded: same seed, same data, same backend -> same results) and
  //    evaluate them with the baselines on the seed protocol's shared 5-candidate sets.
  const withRun = (dqn: DqnConfigInput): DqnConfigInput => ({ ...dqn, epochs: config.epochs, backend: config.backend });
  const report = await runComparison({
    store,
    split,
    data: name,
    command,
    seeds: config.seeds,
    variants: [
      { name: 'dqn-article', agent: 'dqn', config: withRun(config.articleDqn) },
      { name: 'dqn', agent: 'dqn', config: withRun(config.defaultDqn) },
      { name: 'ranker', agent: 'ranker', config: { ...config.ranker, epochs: config.epochs } },
    ],
    baselines: config.baselines,
    baseline: 'random',
    protocols: ['seed'],
    resamples: config.resamples,
    jobs: LEARNER_JOBS,
    log,
  });

  // 3. Recall@4 on all and warm cases, with the paired difference to the random agent.
  const seed = report.results.seed;
  if (!seed) throw new TypeError('expected seed-protocol results');
  const metric = `recall@${seed.k}`;
  const rows: ArticleRow[] = seed.agents.map((a: AgentReport) => ({
    agent: a.agent,
    all: a.metrics[metric],
    warm: a.bySubset.warm[metric] as Interval,
    diffToRandom: a.diff ? { all: a.diff.metrics[metric], warm: a.diff.bySubset.warm[metric] } : undefined,
  }));
  return {
    experiment: 'article-reproduction',
    config,
    data: name,
    cases: { all: seed.cases.total, warm: seed.cases.warm },
    randomExpected: expectedUniform('recall', PROTOCOLS.seed.numCandidates, seed.k),
    rows,
    backend: report.backend,
    seconds: report.timings.totalSeconds,
    command,
  };
}

/** The result as a text table. */
export function formatArticle(result: ArticleResult): string {
  const lines = [
    `data ${result.data}: seed protocol (positive + 4 random negatives), Recall@4; ${result.cases.all} cases, ${result.cases.warm} warm; seeds ${result.config.seeds.join(',')}; backend ${result.backend}`,
    `random ranking (exact): ${result.randomExpected.toFixed(4)} on every subset`,
    '',
    `${'agent'.padEnd(12)}  ${'Recall@4 all [95% CI]'.padStart(26)}  ${'Recall@4 warm [95% CI]'.padStart(26)}  ${'all - random'.padStart(28)}  ${'warm - random'.padStart(28)}`,
  ];
  for (const r of result.rows) {
    const d = r.diffToRandom;
    lines.push(
      `${r.agent.padEnd(12)}  ${formatInterval(r.all).padStart(26)}  ${formatInterval(r.warm).padStart(26)}  ${(d ? formatInterval(d.all, true) : '').padStart(28)}  ${(d ? formatInterval(d.warm, true) : '').padStart(28)}`,
    );
  }
  return `${lines.join('\n')}\n`;
}

/** `node dist/experiments/article-reproduction.js [--quick] [--data FILE] [--seeds 0,1,2] [--epochs E] [--backend B] [--out DIR]` */
export async function main(argv: string[]): Promise<void> {
  const flags = parseExperimentFlags(argv);
  const config: Config = withSharedFlags(defaultConfig(flags.quick), flags);
  log(`article-reproduction: ${JSON.stringify({ ...config, articleDqn: undefined, defaultDqn: undefined, ranker: undefined })}`);
  const result = await run(config, ['node dist/experiments/article-reproduction.js', ...argv].join(' '));
  process.stdout.write(formatArticle(result));
  log(`wrote ${writeResult(config.out, 'article-reproduction', result)}`);
}

if (isEntryPoint(import.meta.url)) runScript(main);
