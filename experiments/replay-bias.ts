/**
 * Replay bias (issue 16): how far the usual logged-replay evaluation, IPS and SNIPS are from a
 * policy's true value, in a simulator where the truth is known. In a simulator fitted on a log, a
 * logging policy with ε-exploration shows one item of the fitted support per step (with its
 * propensity); each target policy (random, popularity, recent, cooccurrence, ranker, dqn: greedy
 * over the same support, ties uniform) is then scored on that log by replay (Recall@1 of the `full` protocol, and
 * the per-recommendation hit against the acted item), IPS and SNIPS, and against its truth: the mean
 * reward per recommendation when it is the logging policy itself (ε = 0) in the same simulator.
 * Beside them, the simulator's exact expected reward of each target's choice at the logged states
 * (what IPS and SNIPS estimate) splits their error into the estimator's and the states' share.
 * Prints a table per world and logger, and each estimator's Kendall τ against the truth's ranking.
 *
 *   npm run build && node dist/experiments/replay-bias.js [--quick] [--loggers popularity,recent,ranker,dqn] [--epsilon 0.3] [--days 3] [--seeds 0,1,2] [--worlds default,users386] [--data FILE]
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Agent } from '../src/agents/agent.js';
import type { DqnConfigInput } from '../src/agents/dqn/config.js';
import { fitAgent, LEARNERS, learnerSpec, type LearnerName } from '../src/agents/registry.js';
import { createRng } from '../src/core/rng.js';
import { EventStoreBuilder, SECONDS_PER_DAY, type EventSink, type EventStore } from '../src/data/event-store.js';
import type { BehaviorCode } from '../src/data/behavior.js';
import type { StateBatch } from '../src/data/state-batch.js';
import type { TimeWindow } from '../src/data/split.js';
import { DEFAULT_REWARDS, rewardLookup } from '../src/env/rewards.js';
import { Bootstrap, type BootstrapSeries, type Interval } from '../src/eval/bootstrap.js';
import { evaluate, type AgentSource } from '../src/eval/evaluate.js';
import { bestOverSupport, greedyChance, ipsSeries, meanSeries, snipsSeries, type LoggedFeedback } from '../src/eval/off-policy.js';
import { fmt } from '../src/report/format.js';
import { textTable } from '../src/report/table.js';
import { fittedPerSeed } from '../src/run/fitted-per-seed.js';
import { LOGGING_POLICIES, simulatePolicyLog, type LoggedRecommendation } from '../src/run/policy-log.js';
import { fitSimulator } from '../src/sim/fit-simulator.js';
import { kendallTau } from '../src/sim/rank-statistics.js';
import { ShopperModel } from '../src/sim/shopper-model.js';
import type { ShopperSessions } from '../src/sim/shopper-sessions.js';
import { isEntryPoint, loadData, log, parseExperimentFlags, QUICK_DQN, runScript, writeResult } from './common.js';
import { sharedDataDir } from './shared-data.js';

/** The 386-user UserBehavior sample, under the shared data folder. */
export const USERS386_FILE = join('taobao-userbehavior-samples', 'userbehavior_users386_haohanblue.csv');
/** The target policies, in report order: the logging policies of `recgym generate --sim`, then the DQN. */
export const TARGETS = [...LOGGING_POLICIES, 'dqn'] as const;
/** The estimators compared with the truth (`atLoggedStates`: the simulator's exact value at the logged states, what IPS and SNIPS estimate). */
export const ESTIMATORS = ['atLoggedStates', 'replay', 'replayHit', 'ips', 'snips'] as const;
export type EstimatorName = (typeof ESTIMATORS)[number];

/** What the experiment runs. */
export interface Config {
  /** Worlds: `default` (a simulator fitted on the embedded data), `users386` (on the 386-user sample, skipped when absent), or a log file's path. */
  readonly worlds: string[];
  /** Logging policies (targets), each with exploration ε. */
  readonly loggers: string[];
  /** Chance the logging policy shows a uniform item of the support instead of its best one. */
  readonly epsilon: number;
  /** Days of simulated sessions per log (from the day after the fitted window). */
  readonly days: number;
  /** Seeds of the on-policy truth runs; the first also seeds the logged run, the agents and the evaluation. */
  readonly seeds: number[];
  /** Bootstrap resamples of every CI. */
  readonly resamples: number;
  /** The DQN target's options (src/agents/dqn/config.ts; `{}` is its default config). */
  readonly dqn: DqnConfigInput;
  /** Folder of the results JSON. */
  readonly out: string;
}

/** The full run: two worlds, two ε = 0.3 loggers, 3 days, truth over seeds 0, 1, 2. */
export const DEFAULT_CONFIG: Config = {
  worlds: ['default', 'users386'],
  loggers: ['popularity', 'recent'],
  epsilon: 0.3,
  days: 3,
  seeds: [0, 1, 2],
  resamples: 1000,
  dqn: {},
  out: join('results', 'experiments'),
};

/** One target policy's estimates on one logged run. */
export interface TargetEstimates {
  readonly target: string;
  readonly truth: Interval;
  /**
   * What IPS and SNIPS estimate: the target's expected reward per recommendation in the states the
   * logging policy visited (Σ_x π_t(x | s) E[reward | x shown in s], exact from the simulator), which
   * differs from the truth by the states the target itself would have led to.
   */
  readonly atLoggedStates: Interval;
  /** Recall@1 of the `full` protocol on the generated log (bootstrap over users). */
  readonly replay: Interval;
  /** Mean over the logged recommendations of π_t(acted item | s): the replay env's hit rate (bootstrap over users). */
  readonly replayHit: Interval;
  readonly ips: Interval;
  readonly snips: Interval;
  /** Logged recommendations whose shown item the target would show (π_t > 0). */
  readonly matches: number;
  /** Largest importance weight π_t / p. */
  readonly maxWeight: number;
}

/** One logging policy's run in a world and every target's estimates on it. */
export interface LoggedRun {
  readonly logger: string;
  readonly epsilon: number;
  readonly recommendations: number;
  readonly accepted: number;
  readonly sessions: number;
  readonly targets: TargetEstimates[];
  /** Kendall τ-b of each estimator's point estimates against the truth's, over the targets. */
  readonly tau: Record<EstimatorName, number>;
}

/** One simulator (a world) and its runs. */
export interface WorldResult {
  readonly world: string;
  readonly users: number;
  readonly support: number;
  readonly fitWindow: TimeWindow;
  readonly truth: { readonly target: string; readonly value: Interval; readonly recommendations: number }[];
  readonly runs: LoggedRun[];
}

/** What the experiment writes to `replay-bias.json`. */
export interface ReplayBiasResult {
  readonly config: Config;
  readonly worlds: WorldResult[];
  readonly skipped: string[];
}

const NULL_SINK: EventSink = { append: () => {} };

/** The days of `store` (whole UTC days): the window the simulator and the agents are fitted on. */
function wholeDays(store: EventStore): TimeWindow {
  return { start: Math.floor(store.minTime / SECONDS_PER_DAY) * SECONDS_PER_DAY, end: (Math.floor(store.maxTime / SECONDS_PER_DAY) + 1) * SECONDS_PER_DAY };
}

/** One world: fits the simulator and the policies, runs the truth and each logger, and estimates every target on each log. */
export async function runWorld(name: string, store: EventStore, config: Config): Promise<WorldResult> {
  const checkpoints = mkdtempSync(join(tmpdir(), 'recgym-replay-bias-'));
  try {
    return await runWorldIn(name, store, config, checkpoints);
  } finally {
    rmSync(checkpoints, { recursive: true, force: true });
  }
}

/**
 * Target `target` fitted on `fitWindow` of `store` with the stream `SEED:agent` (the first seed of
 * `config`): the DQN with `config.dqn`, any other with its default options.
 */
export async function fitTarget(target: string, store: EventStore, fitWindow: TimeWindow, config: Config): Promise<Agent> {
  const rng = createRng(`${config.seeds[0]}:agent`);
  if (target !== 'dqn') return fitAgent(target, store, fitWindow, rng);
  const agent = learnerSpec(target).create(config.dqn);
  await agent.fit(store, fitWindow, rng);
  return agent;
}

/**
 * A target as replay evaluates it on a generated log: a learner (ranker, dqn) is the agent already
 * fitted, re-attached to the generated log through its checkpoint in `checkpoints` (the log holds the
 * same training days, so training again with the same stream would give the same weights, at the
 * cost of a training run per log); a baseline is fitted on the log as usual.
 */
function onGeneratedLog(target: string, generated: EventStore, fitWindow: TimeWindow, checkpoints: string): AgentSource {
  const learner = LEARNERS.get(target as LearnerName);
  return learner ? () => learner.load(join(checkpoints, target), generated) : fittedPerSeed(target, generated, fitWindow);
}

async function runWorldIn(name: string, store: EventStore, config: Config, checkpoints: string): Promise<WorldResult> {
  const fitWindow = wholeDays(store);
  const shoppers = new ShopperModel(fitSimulator(store, fitWindow), store, name);
  const seed = config.seeds[0];
  const supportList: number[] = [];
  for (let x = 0; x < shoppers.numItems; x++) if (shoppers.inSupport[x] === 1) supportList.push(x);
  const support = Int32Array.from(supportList);
  const shopperIndex = new Int32Array(store.numUsers).fill(-1);
  shoppers.shoppers.forEach((user, i) => {
    shopperIndex[user] = i;
  });
  const numShoppers = shoppers.shoppers.length;
  const reward = rewardLookup(DEFAULT_REWARDS, 0);
  const rewardOf = (r: LoggedRecommendation) => (r.accepted ? reward[r.depth] : 0);
  const agents = new Map<string, Agent>();
  for (const target of TARGETS) {
    const started = performance.now();
    const agent = await fitTarget(target, store, fitWindow, config);
    if (LEARNERS.has(target as LearnerName)) {
      log(`${name}: ${target} fitted in ${((performance.now() - started) / 1000).toFixed(1)} s`);
      await agent.save?.(join(checkpoints, target));
    }
    agents.set(target, agent);
  }
  const bootstrap = (units: number) => new Bootstrap(units, { resamples: config.resamples, seed });

  // Truth: each target as the logging policy, ε = 0 (random: ε = 1), over every seed; units (seed, user).
  const truth: WorldResult['truth'] = [];
  for (const target of TARGETS) {
    const started = performance.now();
    const values: number[] = [];
    const units: number[] = [];
    for (const [s, truthSeed] of config.seeds.entries()) {
      await simulatePolicyLog(shoppers, agents.get(target) as Agent, { days: config.days, epsilon: target === 'random' ? 1 : 0 }, createRng(`${truthSeed}:replay-bias:truth`), NULL_SINK, (r) => {
        values.push(rewardOf(r));
        units.push(s * numShoppers + shopperIndex[r.user]);
      });
    }
    const [value] = bootstrap(config.seeds.length * numShoppers).intervals([meanSeries(Float64Array.from(values), Int32Array.from(units), config.seeds.length * numShoppers)]);
    truth.push({ target, value, recommendations: values.length });
    log(`${name}: truth of ${target} ${value.mean.toFixed(4)} over ${values.length} recommendations (${((performance.now() - started) / 1000).toFixed(1)} s)`);
  }

  const runs: LoggedRun[] = [];
  for (const logger of config.loggers) {
    const epsilon = logger === 'random' ? 1 : config.epsilon;
    const scores = TARGETS.map(() => new Float64Array(store.numItems));
    const bests = TARGETS.map(() => ({ best: 0, tied: 0 }));
    // Per target and recommendation: Σ_x π_t(x | s) E[reward | x shown in s], exact from the simulator.
    const stateValues = TARGETS.map(() => [] as number[]);
    const onState = async (state: StateBatch, sessions: ShopperSessions) => {
      for (const [t, target] of TARGETS.entries()) {
        let value = 0;
        if (target === 'random') {
          for (const x of support) value += sessions.expectedReward(0, x, reward);
          value /= support.length;
        } else {
          await (agents.get(target) as Agent).scoreItems(state, scores[t]);
          const best = bestOverSupport(scores[t], 0, support);
          bests[t] = best;
          for (const x of support) if (greedyChance(scores[t], 0, x, best) > 0) value += sessions.expectedReward(0, x, reward);
          value /= best.tied;
        }
        stateValues[t].push(value);
      }
    };
    // π_t(x | s) of a greedy target with uniform ties; random is uniform over the support.
    const chance = (t: number, item: number) => (shoppers.inSupport[item] !== 1 ? 0 : TARGETS[t] === 'random' ? 1 / support.length : greedyChance(scores[t], 0, item, bests[t]));
    const propensities: number[] = [];
    const rewards: number[] = [];
    const units: number[] = [];
    const shownChances = TARGETS.map(() => [] as number[]);
    const actedChances = TARGETS.map(() => [] as number[]);
    const original = wholeLogBuilder(store);
    const summary = await simulatePolicyLog(shoppers, agents.get(logger) as Agent, { days: config.days, epsilon, onState }, createRng(`${seed}:replay-bias:log`), original, (r) => {
      propensities.push(r.propensity);
      rewards.push(rewardOf(r));
      units.push(shopperIndex[r.user]);
      for (let t = 0; t < TARGETS.length; t++) {
        shownChances[t].push(chance(t, r.item));
        actedChances[t].push(chance(t, r.actedItem));
      }
    });
    const generated = original.build();
    const feedback: LoggedFeedback = { propensities: Float64Array.from(propensities), rewards: Float64Array.from(rewards), units: Int32Array.from(units), numUnits: numShoppers };
    const test = { start: fitWindow.end, end: fitWindow.end + config.days * SECONDS_PER_DAY };
    const [replayRun] = await evaluate({
      store: generated,
      split: { train: fitWindow, test },
      protocol: 'full',
      k: 1,
      agents: TARGETS.map((target) => onGeneratedLog(target, generated, fitWindow, checkpoints)),
      seeds: [seed],
      resamples: config.resamples,
    });
    const series: BootstrapSeries[] = [];
    for (let t = 0; t < TARGETS.length; t++) {
      const target = Float64Array.from(shownChances[t]);
      series.push(
        meanSeries(Float64Array.from(actedChances[t]), feedback.units, numShoppers),
        ipsSeries(feedback, target),
        snipsSeries(feedback, target),
        meanSeries(Float64Array.from(stateValues[t]), feedback.units, numShoppers),
      );
    }
    const intervals = bootstrap(numShoppers).intervals(series);
    const targets: TargetEstimates[] = TARGETS.map((target, t) => {
      let matches = 0;
      let maxWeight = 0;
      for (let i = 0; i < propensities.length; i++) {
        if (shownChances[t][i] > 0) matches++;
        maxWeight = Math.max(maxWeight, shownChances[t][i] / propensities[i]);
      }
      const replay = replayRun.agents[t].metrics['recall@1'];
      const at = 4 * t;
      return { target, truth: truth[t].value, atLoggedStates: intervals[at + 3], replay, replayHit: intervals[at], ips: intervals[at + 1], snips: intervals[at + 2], matches, maxWeight };
    });
    const truthMeans = targets.map((e) => e.truth.mean);
    const tau = Object.fromEntries(ESTIMATORS.map((estimator) => [estimator, kendallTau(truthMeans, targets.map((e) => e[estimator].mean))])) as Record<EstimatorName, number>;
    runs.push({ logger, epsilon, recommendations: summary.recommendations, accepted: summary.accepted, sessions: summary.sessions, targets, tau });
    log(`${name}: ${logger} ε=${epsilon}: ${summary.recommendations} recommendations, τ ${ESTIMATORS.map((e) => `${e} ${tau[e].toFixed(2)}`).join(', ')}`);
  }
  return { world: name, users: numShoppers, support: support.length, fitWindow, truth, runs };
}

/** A builder holding every event of `store` (the fitted days): the generated days are appended after them. */
function wholeLogBuilder(store: EventStore): EventStoreBuilder {
  const builder = new EventStoreBuilder();
  for (let p = 0; p < store.length; p++) {
    builder.append(store.userIds.rawOf(store.users[p]), store.itemIds.rawOf(store.items[p]), store.categoryIds.rawOf(store.categories[p]), store.behaviors[p] as BehaviorCode, store.times[p]);
  }
  return builder;
}

/** Runs every world of `config` (a `users386` world whose file is absent is skipped and listed). */
export async function replayBias(config: Config, sharedDir = sharedDataDir()): Promise<ReplayBiasResult> {
  const worlds: WorldResult[] = [];
  const skipped: string[] = [];
  for (const world of config.worlds) {
    let path: string | undefined;
    if (world === 'users386') {
      path = join(sharedDir, USERS386_FILE);
      if (!existsSync(path)) {
        skipped.push(`${world}: ${path} is absent`);
        continue;
      }
    } else if (world !== 'default') path = world;
    const { store } = await loadData(path);
    worlds.push(await runWorld(world, store, config));
  }
  return { config, worlds, skipped };
}

function cell(interval: Interval, digits = 4): string {
  return `${fmt(interval.mean, digits)} [${fmt(interval.lo, digits)}, ${fmt(interval.hi, digits)}]`;
}

/** The result as text: per world and logger, each target's truth and estimates, then each estimator's τ. */
export function formatReplayBias(result: ReplayBiasResult): string {
  const parts: string[] = [];
  for (const world of result.worlds) {
    for (const run of world.runs) {
      parts.push(
        `${world.world} (${world.users} users, support ${world.support}), logger ${run.logger} ε = ${run.epsilon}: ${run.recommendations} recommendations, ${run.accepted} taken`,
        textTable(
          ['target', 'truth', 'at logged states', 'replay R@1', 'replay hit', 'IPS', 'SNIPS', 'matches', 'max w'],
          run.targets.map((e) => [e.target, cell(e.truth), cell(e.atLoggedStates), cell(e.replay), cell(e.replayHit), cell(e.ips), cell(e.snips), String(e.matches), fmt(e.maxWeight, 1)]),
        ),
        `Kendall τ vs truth: ${ESTIMATORS.map((e) => `${e} ${fmt(run.tau[e], 2)}`).join(', ')}`,
        '',
      );
    }
  }
  for (const s of result.skipped) parts.push(`skipped ${s}`);
  return `${parts.join('\n')}\n`;
}

/** Parses the flags over {@link DEFAULT_CONFIG}; `--quick` is one world day, one seed, 50 resamples, a small DQN of one epoch. */
export function configFromFlags(argv: string[]): Config {
  const flags = parseExperimentFlags(argv, ['loggers', 'epsilon', 'days', 'worlds']);
  const { extra } = flags;
  const base: Config = flags.quick ? { ...DEFAULT_CONFIG, worlds: ['default'], days: 1, seeds: [0], resamples: 50, dqn: { ...QUICK_DQN, epochs: 1 } } : DEFAULT_CONFIG;
  const epsilon = extra.epsilon === undefined ? base.epsilon : Number(extra.epsilon);
  if (!(extra.epsilon === undefined || (extra.epsilon.trim() !== '' && epsilon > 0 && epsilon <= 1))) throw new TypeError(`--epsilon: expected a number in (0, 1], actual "${extra.epsilon}"`);
  const days = extra.days === undefined ? base.days : Number(extra.days);
  if (!(Number.isInteger(days) && days >= 1)) throw new TypeError(`--days: expected an integer >= 1, actual "${extra.days}"`);
  const loggers = extra.loggers === undefined ? base.loggers : extra.loggers.split(',').map((s) => s.trim());
  for (const logger of loggers) {
    if (!(TARGETS as readonly string[]).includes(logger)) throw new TypeError(`--loggers: expected names among ${TARGETS.join(', ')}, actual "${logger}"`);
  }
  const worlds = flags.data !== undefined ? [flags.data] : extra.worlds === undefined ? base.worlds : extra.worlds.split(',').map((s) => s.trim());
  return { ...base, worlds, loggers, epsilon, days, seeds: flags.seeds ?? base.seeds, out: flags.out };
}

export async function main(argv: string[]): Promise<void> {
  const config = configFromFlags(argv);
  log(`replay-bias: ${JSON.stringify(config)}`);
  const result = await replayBias(config);
  process.stdout.write(formatReplayBias(result));
  log(`wrote ${writeResult(config.out, 'replay-bias', result)}`);
}

if (isEntryPoint(import.meta.url)) runScript(main);
