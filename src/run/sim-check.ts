import { act } from '../agents/agent.js';
import { fitAgent } from '../agents/registry.js';
import { ErrorCode, RecGymError } from '../core/errors.js';
import { createRng, type Rng } from '../core/rng.js';
import type { BehaviorCode } from '../data/behavior.js';
import { EventStoreBuilder, SECONDS_PER_DAY, type EventStore } from '../data/event-store.js';
import type { TimeWindow } from '../data/split.js';
import { VectorSimulatorEnv } from '../env/vector-simulator-env.js';
import { evaluate } from '../eval/evaluate.js';
import { fidelityDistances, type FidelityDistance } from '../sim/fidelity-marks.js';
import { fitSimulator } from '../sim/fit-simulator.js';
import { logProfile } from '../sim/log-profile.js';
import { kendallTau } from '../sim/rank-statistics.js';
import { responseAucs, type ResponseAuc } from '../sim/response-auc.js';
import { ShopperModel } from '../sim/shopper-model.js';
import type { SimModel } from '../sim/sim-model.js';
import { simulateOrganicLog } from '../sim/simulate-log.js';
import { sessionFeatures, twoSampleAuc, type TwoSampleAuc } from '../sim/two-sample-auc.js';
import { fittedPerSeed } from './fitted-per-seed.js';

/** The policies the report card ranks: the baselines, and with `learners` the ranker and the DQN (trained on the real and on the simulated log). */
export const CHECK_AGENTS = ['random', 'popularity', 'cooccurrence', 'recent'] as const;
export const CHECK_LEARNERS = ['ranker', 'dqn'] as const;
/** The metric the policies are ranked by (the `full` protocol's headline). */
export const CHECK_METRIC = 'recall@20';
/** An agent's simulated metric passes when it is within this share of the real one. */
export const RATIO_TOLERANCE = 0.25;
/** A response-model AUC is marked only with at least this many positives and negatives. */
export const MIN_AUC_CLASS = 10;

/** Options of {@link simCheck}. */
export interface SimCheckOptions {
  /** Seed of the simulated log, the evaluation and the simulated sessions (default 0). */
  readonly seed?: number;
  /** Vector-env steps (64 slots) each policy runs in each simulator for the RL4RS check (default 200). */
  readonly steps?: number;
  /** Rank the learners too (`ranker`, `dqn` with their default configs, each trained on the real and on the simulated training days): minutes, not seconds. */
  readonly learners?: boolean;
}

/** One policy in the ranking agreement: its metric on the real and on the simulated held-out days. */
export interface PolicyAgreement {
  readonly agent: string;
  readonly real: number;
  readonly simulated: number;
  /** simulated / real (NaN when real is 0). */
  readonly ratio: number;
  /** Within ±25 % (random, chance level in both, is not marked: null). */
  readonly passed: boolean | null;
}

/** One policy scored in the simulator fitted on the training days and in one fitted on the held-out days. */
export interface Rl4rsGap {
  readonly agent: string;
  /** Mean episode return in each simulator. */
  readonly trainSim: number;
  readonly heldOutSim: number;
  /** (trainSim − heldOutSim) / heldOutSim. */
  readonly gap: number;
}

/** The fidelity report card of a simulator against the held-out days of its log. */
export interface SimCheckReport {
  readonly trainWindow: TimeWindow;
  readonly heldOutWindow: TimeWindow;
  readonly users: number;
  readonly realEvents: number;
  readonly simulatedEvents: number;
  readonly responseAucs: readonly (ResponseAuc & { readonly passed: boolean | null })[];
  readonly distances: readonly FidelityDistance[];
  /** A logistic regression's AUC telling simulated held-out sessions from real ones; passes below 0.75. */
  readonly twoSample: TwoSampleAuc;
  readonly metric: string;
  readonly policies: readonly PolicyAgreement[];
  /** Kendall τ-b between the policies' real and simulated metrics; passes at 1. */
  readonly kendallTau: number;
  readonly rl4rs: readonly Rl4rsGap[];
  /** Every mark passed (τ = 1, each distance, the two-sample AUC, each marked AUC and ratio). */
  readonly passed: boolean;
}

/**
 * The fidelity report card (docs/simulator.md): `model` (fitted on `store`'s days before its
 * training window's end) against the held-out days after it. The simulator writes the same users'
 * sessions on the days they came (`simulateOrganicLog`); the held-out days of the real log and of
 * the simulated one (each after the same real training days) are compared by their distributions,
 * by a classifier's AUC telling their sessions apart and by how the `full` protocol ranks the
 * baseline policies on them; the funnel's AUC is read on the real held-out events; each policy's return in the simulator is compared with its return in a
 * simulator fitted on the held-out days (the RL4RS check). Throws NO_EVENTS when no day is held out.
 */
export async function simCheck(store: EventStore, model: SimModel, options: SimCheckOptions = {}): Promise<SimCheckReport> {
  const seed = options.seed ?? 0;
  const shoppers = new ShopperModel(model, store, 'sim check');
  const trainWindow = { start: model.trainWindow.start, end: model.trainWindow.end };
  const heldOut = { start: trainWindow.end, end: (Math.floor(store.maxTime / SECONDS_PER_DAY) + 1) * SECONDS_PER_DAY };
  let realEvents = 0;
  for (let p = 0; p < store.length; p++) if (store.times[p] >= heldOut.start) realEvents++;
  if (realEvents === 0) throw new RecGymError(ErrorCode.NO_EVENTS, `sim check: expected events after the simulator's training window (it ends ${new Date(trainWindow.end * 1000).toISOString().slice(0, 10)}), actual none`);

  const { store: simulated, events: simulatedEvents, users } = simulatedHeldOutLog(store, shoppers, heldOut, createRng(`${seed}:sim-check:log`));
  const gap = model.session.gapSeconds;
  const distances = fidelityDistances(logProfile(store, heldOut, gap), logProfile(simulated, heldOut, gap));
  const twoSample = twoSampleAuc(sessionFeatures(store, heldOut, gap), sessionFeatures(simulated, heldOut, gap), createRng(`${seed}:sim-check:two-sample`));

  const aucs = responseAucs(shoppers, heldOut).map((a) => ({ ...a, passed: a.positives >= MIN_AUC_CLASS && a.negatives >= MIN_AUC_CLASS ? a.auc > 0.5 : null }));

  const ranked: readonly string[] = options.learners ? [...CHECK_AGENTS, ...CHECK_LEARNERS] : CHECK_AGENTS;
  const metricOf = async (log: EventStore) => {
    const [run] = await evaluate({ store: log, split: { train: trainWindow, test: heldOut }, protocol: 'full', agents: ranked.map((name) => fittedPerSeed(name, log, trainWindow)), seeds: [seed], resamples: 100 });
    return run.agents.map((a) => a.metrics[CHECK_METRIC].mean);
  };
  const real = await metricOf(store);
  const sim = await metricOf(simulated);
  const policies = ranked.map((agent, i) => {
    const ratio = sim[i] / real[i];
    return { agent, real: real[i], simulated: sim[i], ratio, passed: agent === 'random' ? null : Math.abs(ratio - 1) <= RATIO_TOLERANCE };
  });
  const tau = kendallTau(real, sim);

  const heldOutModel = fitSimulator(store, heldOut);
  const rl4rs: Rl4rsGap[] = [];
  for (const name of CHECK_AGENTS) {
    const agent = await fitAgent(name, store, trainWindow, createRng(`${seed}:agent`));
    const trainSim = await meanReturn(store, model, agent, seed, options.steps ?? 200);
    const heldOutSim = await meanReturn(store, heldOutModel, agent, seed, options.steps ?? 200);
    rl4rs.push({ agent: name, trainSim, heldOutSim, gap: (trainSim - heldOutSim) / heldOutSim });
  }

  const passed = tau === 1 && distances.every((d) => d.passed) && twoSample.passed && aucs.every((a) => a.passed !== false) && policies.every((p) => p.passed !== false);
  return {
    trainWindow,
    heldOutWindow: heldOut,
    users,
    realEvents,
    simulatedEvents,
    responseAucs: aucs,
    distances,
    twoSample,
    metric: CHECK_METRIC,
    policies,
    kendallTau: tau,
    rl4rs,
    passed,
  };
}

/**
 * `store`'s events before `heldOut`, then the simulator's sessions of the same users on the held-out
 * days they came: the log the report card compares with the real one (also a log generated by the
 * simulator itself, to check the report card against). `users`: the users with held-out events.
 */
export function simulatedHeldOutLog(store: EventStore, shoppers: ShopperModel, heldOut: TimeWindow, draws: Rng): { store: EventStore; events: number; users: number } {
  const days = Math.ceil((heldOut.end - heldOut.start) / SECONDS_PER_DAY);
  // user × days + day index of every (user, held-out day) with events.
  const active = new Set<number>();
  const users = new Set<number>();
  for (let u = 0; u < store.numUsers; u++) {
    for (let p = store.userOffsets[u]; p < store.userOffsets[u + 1]; p++) {
      if (store.times[p] < heldOut.start || store.times[p] >= heldOut.end) continue;
      users.add(u);
      active.add(u * days + Math.floor((store.times[p] - heldOut.start) / SECONDS_PER_DAY));
    }
  }
  const builder = new EventStoreBuilder();
  for (let u = 0; u < store.numUsers; u++) {
    const userRaw = store.userIds.rawOf(u);
    for (let p = store.userOffsets[u]; p < store.userOffsets[u + 1] && store.times[p] < heldOut.start; p++) {
      builder.append(userRaw, store.itemIds.rawOf(store.items[p]), store.categoryIds.rawOf(store.categories[p]), store.behaviors[p] as BehaviorCode, store.times[p]);
    }
  }
  const { events } = simulateOrganicLog(shoppers, days, draws, builder, { isActive: (user, day) => active.has(user * days + day) });
  return { store: builder.build(), events, users: users.size };
}

/** Mean episode return of `agent` acting in the candidates-mode simulator over `model`: 64 slots, `steps` steps. */
async function meanReturn(store: EventStore, model: SimModel, agent: Awaited<ReturnType<typeof fitAgent>>, seed: number, steps: number): Promise<number> {
  const env = new VectorSimulatorEnv({ store, simulator: model, numEnvs: 64 });
  const rng = createRng(`${seed}:sim-check:act`);
  const actions = env.createActions();
  let observations = env.reset({ seed }).observations;
  let returns = 0;
  let episodes = 0;
  for (let t = 0; t < steps; t++) {
    await act(agent, observations.states, observations.candidates, env.numCandidates, rng, actions);
    const result = env.step(actions);
    for (let i = 0; i < env.numEnvs; i++) {
      if (result.terminations[i] === 0 && result.truncations[i] === 0) continue;
      returns += result.info.episodeReturns[i];
      episodes++;
    }
    observations = result.observations;
  }
  env.close();
  return episodes > 0 ? returns / episodes : 0;
}
