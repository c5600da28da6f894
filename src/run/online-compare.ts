import type { Agent } from '../agents/agent.js';
import { DqnAgent } from '../agents/dqn/dqn-agent.js';
import type { DqnConfigInput } from '../agents/dqn/config.js';
import { fitAgent } from '../agents/registry.js';
import { RankerAgent } from '../agents/ranker/ranker-agent.js';
import { createRng } from '../core/rng.js';
import { Behavior } from '../data/behavior.js';
import type { EventStore } from '../data/event-store.js';
import { rewardOf } from '../env/rewards.js';
import { makeVectorEnv, type MakeEnvOptions } from '../env/registry.js';
import type { VectorSimulatorEnv } from '../env/vector-simulator-env.js';
import { Bootstrap, pairedDifference, type BootstrapSeries, type Interval } from '../eval/bootstrap.js';
import { evaluateOnline, type OnlineSessions } from '../eval/online.js';
import { SimulatorOracle } from '../eval/simulator-oracles.js';
import type { Progress } from '../report/progress.js';

/** An agent of an online comparison: a baseline fitted on the log, the ranker trained on the log, the DQN trained on the log (replay) or in the simulator, or a reference rule that reads the simulator's state (`SimulatorOracle`). */
export interface OnlineVariant {
  /** Name in the report. */
  readonly name: string;
  readonly agent: 'random' | 'popularity' | 'recent' | 'cooccurrence' | 'ranker' | 'dqn' | 'oracle-own-item' | 'oracle-variety';
  /** Where a DQN learns: `simulator` (online, in the compared env's simulator) or `replay` (the logged training days); other agents fit on the log. */
  readonly trainIn?: 'simulator' | 'replay';
  /** Agent options (the ranker's or the DQN's config). */
  readonly config?: Readonly<Record<string, unknown>>;
}

/** The default agents of `recgym compare --env`: the DQN online with γ = 0.9 and its myopic twin (γ = 0), the ranker and the baselines. */
export const DEFAULT_ONLINE_VARIANTS: readonly OnlineVariant[] = [
  { name: 'dqn', agent: 'dqn', trainIn: 'simulator' },
  { name: 'dqn-myopic', agent: 'dqn', trainIn: 'simulator', config: { gamma: 0 } },
  { name: 'ranker', agent: 'ranker' },
  { name: 'recent', agent: 'recent' },
  { name: 'popularity', agent: 'popularity' },
  { name: 'random', agent: 'random' },
];

/**
 * Agents `recgym compare --env` offers beyond the defaults: the DQN trained on replay, two DQN
 * ablations (Q's per-item term on, Q's feature weights from zero; each overrides `--dqn-config` in
 * that one option), co-occurrence, and the reference rules that read the simulator.
 */
export const EXTRA_ONLINE_VARIANTS: readonly OnlineVariant[] = [
  { name: 'dqn-replay', agent: 'dqn', trainIn: 'replay' },
  { name: 'dqn-item-term', agent: 'dqn', trainIn: 'simulator', config: { qItemTerm: true } },
  { name: 'dqn-zero-start', agent: 'dqn', trainIn: 'simulator', config: { featureInit: 'zeros' } },
  { name: 'cooccurrence', agent: 'cooccurrence' },
  { name: 'oracle-own-item', agent: 'oracle-own-item' },
  { name: 'oracle-variety', agent: 'oracle-variety' },
];

/**
 * What a DQN trained in the simulator changes from its defaults: window sequences (a simulated step
 * appends a click and its funnel, not one event), a replay buffer whose states the simulator keeps
 * readable (50k transitions, ~90 MB of session rows), and the compared env's candidates.
 */
export const SIMULATOR_DQN_DEFAULTS: DqnConfigInput = { sequenceMode: 'window', bufferSize: 50_000, epochs: 4, maxStepsPerEpoch: 500, numEnvs: 64 };

/** Options of {@link runOnlineComparison}. */
export interface OnlineCompareOptions {
  readonly store: EventStore;
  /** A registered simulated candidates-mode env (`Tianchi-Sim-v0`). */
  readonly envId: string;
  /** Its options besides the store, slots and seed (e.g. `simulator`: a preset name or a fitted model). */
  readonly envOptions?: MakeEnvOptions;
  readonly seeds: readonly number[];
  readonly variants?: readonly OnlineVariant[];
  /** Bootstrap resamples over (seed, shopper) sessions. */
  readonly resamples?: number;
  /** Sessions per shopper and seed in the evaluation (default 1). */
  readonly passes?: number;
  /** Slots the evaluation runs (does not change the figures' expectation). */
  readonly numEnvs?: number;
  readonly log?: (line: string) => void;
  readonly progress?: Progress;
}

/** An agent's mean figures per session with 95 % CIs, over every (seed, shopper) session. */
export interface OnlineRow {
  readonly name: string;
  /** Where it learned: `log` (fitted on the logged training days), `replay` or `simulator`; `oracle`: a rule reading the simulator's state. */
  readonly trainedIn: 'log' | 'replay' | 'simulator' | 'oracle';
  readonly episodeReturn: Interval;
  readonly purchases: Interval;
  readonly allPurchases: Interval;
  readonly sessionLength: Interval;
  readonly acceptRate: Interval;
  /** Mean next-day return chance of the sessions the shopper ended (not cut by maxEpisodeSteps). */
  readonly returnRate: Interval;
  /** Mean return per seed (seeds in the report's order). */
  readonly returnBySeed: readonly number[];
  /** Seconds spent training (DQN) or fitting, summed over seeds. */
  readonly trainSeconds: number;
}

/** A paired difference of mean episode return (a − b) over the same (seed, shopper) sessions, and the per-seed differences. */
export interface OnlineDiff {
  readonly a: string;
  readonly b: string;
  readonly episodeReturn: Interval;
  readonly bySeed: readonly number[];
  readonly purchases: Interval;
  readonly sessionLength: Interval;
}

/** The result of an online comparison. */
export interface OnlineReport {
  readonly env: string;
  readonly seeds: readonly number[];
  /** Shoppers per seed, and sessions per shopper and seed. */
  readonly shoppers: number;
  readonly passes: number;
  readonly numCandidates: number;
  /** The purchase reward the returns count (the env's training epoch). */
  readonly purchaseReward: number;
  readonly resamples: number;
  readonly rows: readonly OnlineRow[];
  /** Every pair of agents (a before b in `rows` order). */
  readonly diffs: readonly OnlineDiff[];
}

function dqnConfig(variant: OnlineVariant, env: VectorSimulatorEnv): DqnConfigInput {
  const negatives = env.setup.options.negatives;
  const base: DqnConfigInput = { numCandidates: env.numCandidates, candidateNegatives: negatives === 'popularity' ? 'popularity' : 'uniform' };
  return variant.trainIn === 'simulator' ? { ...base, ...SIMULATOR_DQN_DEFAULTS, ...variant.config } : { ...base, ...variant.config };
}

/** Trains or fits one variant for one seed. */
async function prepare(variant: OnlineVariant, env: VectorSimulatorEnv, options: OnlineCompareOptions, seed: number): Promise<Agent> {
  const { store } = options;
  const train = env.setup.shoppers.model.trainWindow;
  const rng = createRng(`${seed}:online:${variant.name}`);
  if (variant.agent === 'dqn') {
    const agent = new DqnAgent(dqnConfig(variant, env));
    const hooks = { log: options.log };
    if (variant.trainIn === 'simulator') {
      const { simulator, testDay, trainEnd, maxEpisodeSteps, catalogue } = env.setup.options;
      await agent.trainInSimulator({ store, simulator, testDay, trainEnd, maxEpisodeSteps, catalogue }, rng, hooks);
    } else {
      await agent.train(store, train, rng, hooks);
    }
    return agent;
  }
  if (variant.agent === 'oracle-own-item' || variant.agent === 'oracle-variety') return new SimulatorOracle(env, variant.agent === 'oracle-own-item' ? 'own-item' : 'variety');
  if (variant.agent === 'ranker') {
    const agent = new RankerAgent(variant.config ?? {});
    await agent.fit(store, train, rng);
    return agent;
  }
  return fitAgent(variant.agent, store, train, rng);
}

function series(values: ArrayLike<number>, valid?: (v: number) => boolean): BootstrapSeries {
  const sums = new Float64Array(values.length);
  const weights = new Float64Array(values.length);
  for (let u = 0; u < values.length; u++) {
    const v = values[u];
    if (valid && !valid(v)) continue;
    sums[u] = v;
    weights[u] = 1;
  }
  return { sums, weights };
}

function concat<T extends Float64Array | Int32Array>(parts: readonly T[]): Float64Array {
  const out = new Float64Array(parts.reduce((n, p) => n + p.length, 0));
  let offset = 0;
  for (const p of parts) {
    out.set(p, offset);
    offset += p.length;
  }
  return out;
}

/**
 * Trains and evaluates agents online in a simulated env: per seed, each agent learns (baselines and
 * the ranker on the logged training days the simulator was fitted on; a DQN in the simulator itself,
 * or on logged replay), then plays its greedy policy through one session per shopper under that seed
 * (the same shoppers, in the same order, for every agent). Reports mean episode return, purchases,
 * session length, acceptance and next-day return rate with percentile-bootstrap CIs over the
 * (seed, shopper) sessions, and paired differences between every two agents.
 */
export async function runOnlineComparison(options: OnlineCompareOptions): Promise<OnlineReport> {
  const variants = options.variants ?? DEFAULT_ONLINE_VARIANTS;
  const numEnvs = options.numEnvs ?? 64;
  const sessions = new Map<string, OnlineSessions[]>(variants.map((v) => [v.name, []]));
  const seconds = new Map<string, number>(variants.map((v) => [v.name, 0]));
  let shoppers = 0;
  let numCandidates = 0;
  let purchaseReward = 0;
  for (const seed of options.seeds) {
    for (const [k, variant] of variants.entries()) {
      const env = makeVectorEnv<VectorSimulatorEnv>(options.envId, { ...options.envOptions, store: options.store, numEnvs, seed });
      try {
        if (env.numCandidates === 0) throw new TypeError(`${options.envId}: expected a candidates-mode simulated env, actual slate mode`);
        shoppers = env.numEpisodes;
        numCandidates = env.numCandidates;
        purchaseReward = rewardOf(env.setup.rewards, Behavior.purchase, env.setup.options.trainingEpoch ?? 0);
        options.progress?.update(`seed ${seed}: ${variant.name}`, k, variants.length, { unit: 'agents' });
        const started = performance.now();
        const agent = await prepare(variant, env, options, seed);
        seconds.set(variant.name, (seconds.get(variant.name) ?? 0) + (performance.now() - started) / 1000);
        sessions.get(variant.name)?.push(await evaluateOnline(agent, env, seed, options.passes ?? 1));
        (agent as { dispose?: () => void }).dispose?.();
      } finally {
        env.close();
      }
    }
  }
  const resamples = options.resamples ?? 1000;
  const numSessions = shoppers * (options.passes ?? 1) * options.seeds.length;
  const bootstrap = new Bootstrap(numSessions, { resamples, seed: 'online' });
  const figures = variants.map((v) => {
    const runs = sessions.get(v.name) ?? [];
    return {
      returns: series(concat(runs.map((r) => r.returns))),
      purchases: series(concat(runs.map((r) => r.purchases))),
      allPurchases: series(concat(runs.map((r) => r.allPurchases))),
      lengths: series(concat(runs.map((r) => r.lengths))),
      accept: (() => {
        const accepted = concat(runs.map((r) => r.accepted));
        const lengths = concat(runs.map((r) => r.lengths));
        return { sums: accepted, weights: lengths };
      })(),
      returnRate: series(concat(runs.map((r) => r.returnChances)), (x) => !Number.isNaN(x)),
      bySeed: runs.map((r) => r.returns.reduce((a, b) => a + b, 0) / Math.max(1, r.returns.length)),
    };
  });
  const rows: OnlineRow[] = variants.map((v, i) => {
    const f = figures[i];
    const [episodeReturn, purchases, allPurchases, sessionLength, acceptRate, returnRate] = bootstrap.intervals([f.returns, f.purchases, f.allPurchases, f.lengths, f.accept, f.returnRate]);
    return {
      name: v.name,
      trainedIn: v.agent === 'dqn' ? (v.trainIn ?? 'replay') : v.agent.startsWith('oracle-') ? 'oracle' : 'log',
      episodeReturn,
      purchases,
      allPurchases,
      sessionLength,
      acceptRate,
      returnRate,
      returnBySeed: f.bySeed,
      trainSeconds: seconds.get(v.name) ?? 0,
    };
  });
  const diffs: OnlineDiff[] = [];
  for (let i = 0; i < variants.length; i++) {
    for (let j = i + 1; j < variants.length; j++) {
      const a = figures[i];
      const b = figures[j];
      const [episodeReturn, purchases, sessionLength] = bootstrap.intervals([pairedDifference(a.returns, b.returns), pairedDifference(a.purchases, b.purchases), pairedDifference(a.lengths, b.lengths)]);
      diffs.push({ a: variants[i].name, b: variants[j].name, episodeReturn, purchases, sessionLength, bySeed: a.bySeed.map((x, s) => x - b.bySeed[s]) });
    }
  }
  return { env: options.envId, seeds: [...options.seeds], shoppers, passes: options.passes ?? 1, numCandidates, purchaseReward, resamples, rows, diffs };
}
