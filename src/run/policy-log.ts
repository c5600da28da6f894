import type { Agent } from '../agents/agent.js';
import { checkpointLearner } from '../agents/checkpoint.js';
import { fitAgent, learnerSpec } from '../agents/registry.js';
import { SECONDS_PER_DAY, type EventSink } from '../data/event-store.js';
import { StateBatch } from '../data/state-batch.js';
import { ErrorCode, RecGymError, isRecGymError } from '../core/errors.js';
import type { Rng } from '../core/rng.js';
import type { EventStore } from '../data/event-store.js';
import type { TimeWindow } from '../data/split.js';
import { poisson } from '../sim/shopper-log.js';
import type { ShopperModel } from '../sim/shopper-model.js';
import { ShopperSessions } from '../sim/shopper-sessions.js';
import { sessionStarts, writeStepEvents } from '../sim/simulate-log.js';

/** The policies `recgym generate --sim` fits on the simulator's training days and logs under (besides a checkpoint, `NAME=DIR`). */
export const LOGGING_POLICIES = ['random', 'popularity', 'recent', 'cooccurrence', 'ranker'] as const;

/** What a `--policy` value may be, for error messages. */
export const POLICY_SPEC_EXPECTED = `one of ${LOGGING_POLICIES.join(', ')}, or NAME=DIR (a ranker or dqn checkpoint of recgym train)`;

/** A `--policy` value: a policy of {@link LOGGING_POLICIES} (`dir` undefined) or `NAME=DIR` a checkpoint; undefined when it is neither. */
export function parsePolicySpec(spec: string): { name: string; dir: string | undefined } | undefined {
  const eq = spec.indexOf('=');
  if (eq < 0) return (LOGGING_POLICIES as readonly string[]).includes(spec) ? { name: spec, dir: undefined } : undefined;
  const name = spec.slice(0, eq);
  const dir = spec.slice(eq + 1);
  return name !== '' && dir !== '' ? { name, dir } : undefined;
}

/**
 * The agent of a parsed `--policy` value: a policy of {@link LOGGING_POLICIES} fitted on `train`
 * of `store` with `rng`, or the ranker or DQN checkpoint in `dir` (found as the arena finds it),
 * refused with a RecGymError naming `where` when it is missing or was trained on another log.
 */
export async function loggingAgent(spec: { name: string; dir: string | undefined }, store: EventStore, train: TimeWindow, rng: Rng, where: string): Promise<Agent> {
  if (spec.dir === undefined) return fitAgent(spec.name, store, train, rng);
  const { learner, path } = checkpointLearner(spec.dir, where);
  try {
    return await learnerSpec(learner).load(path, store);
  } catch (error) {
    const message = isRecGymError(error) ? error.message : `expected a ${learner} checkpoint, actual ${((error as Error).message ?? String(error)).replace(/\s*\n\s*/g, ' ')}`;
    throw new RecGymError(isRecGymError(error) ? error.code : ErrorCode.BAD_CHECKPOINT, `${where}: ${message}`, { cause: error });
  }
}

/** One recommendation of the logging policy: what was shown, to whom, when, with what chance, and whether it was taken. */
export interface LoggedRecommendation {
  /** Dense user and item (the store's). */
  readonly user: number;
  readonly item: number;
  /** The time of the step's click (unix seconds). */
  readonly time: number;
  /** The chance the logging policy had of showing this item in this state. */
  readonly propensity: number;
  /** True when the shopper took the shown item (rather than browsing on their own). */
  readonly accepted: boolean;
  /** The item the shopper acted on: the shown one when accepted, else the one they browsed to on their own. */
  readonly actedItem: number;
  /** The deepest behaviour on the acted item (1 click .. 4 purchase, `Behavior` codes). */
  readonly depth: number;
}

/** Options of {@link simulatePolicyLog}. */
export interface PolicyLogOptions {
  /** Days of sessions, from the first day after the training window. */
  readonly days: number;
  /** Chance of showing an item drawn uniformly from the support instead of the best-scoring one. */
  readonly epsilon: number;
  /**
   * Called at every recommendation, before the shopper responds, with the request the logging
   * policy scored (one state) and the simulator's sessions (the shopper is slot 0), both valid only
   * during the call: for asking other policies what they would have shown, and what it would earn
   * ({@link ShopperSessions.expectedReward}).
   */
  readonly onState?: (state: StateBatch, sessions: ShopperSessions) => void | Promise<void>;
}

/** What {@link simulatePolicyLog} wrote. */
export interface PolicyLogSummary {
  readonly events: number;
  readonly sessions: number;
  readonly recommendations: number;
  readonly accepted: number;
}

/**
 * Writes `days` days of the fitted shoppers' sessions (a Poisson number a day per shopper at the
 * fitted rate, from the first day after the training window) in which each step `agent` shows one
 * item of the fitted support: with probability `epsilon` one drawn uniformly, otherwise its
 * highest-scoring one, ties broken uniformly. The propensity of the shown item x is
 * (1 − ε) · [x is among the t tied best] / t + ε / (support size). Events go to `sink` with the
 * store's raw ids, each recommendation to `onRecommendation` (and its state, before the response,
 * to `options.onState`). Every draw comes from `draws`.
 */
export async function simulatePolicyLog(
  model: ShopperModel,
  agent: Agent,
  options: PolicyLogOptions,
  draws: Rng,
  sink: EventSink,
  onRecommendation: (recommendation: LoggedRecommendation) => void,
): Promise<PolicyLogSummary> {
  const { days, epsilon, onState } = options;
  if (!(epsilon >= 0 && epsilon <= 1)) throw new RangeError(`expected 0 <= epsilon <= 1, actual ${epsilon}`);
  const { store } = model;
  const support: number[] = [];
  for (let x = 0; x < model.numItems; x++) if (model.inSupport[x] === 1) support.push(x);
  const sessions = new ShopperSessions(model, 1, 1);
  const log = sessions.log;
  const users = new Int32Array(1);
  const lengths = new Int32Array(1);
  const times = new Int32Array(1);
  const batch = new StateBatch(log, users, lengths, times);
  const scores = new Float64Array(model.numItems);
  const shown = new Int32Array(1);
  const firstDay = Math.ceil(model.model.trainWindow.end / SECONDS_PER_DAY) * SECONDS_PER_DAY;
  const rate = model.model.session.sessionsPerUserDay;
  let events = 0;
  let count = 0;
  let recommendations = 0;
  let accepted = 0;
  for (const user of model.shoppers) {
    const userRaw = store.userIds.rawOf(user);
    let clock = 0;
    for (let day = 0; day < days; day++) {
      for (const start of sessionStarts(sessions, poisson(rate, draws), firstDay + day * SECONDS_PER_DAY, draws)) {
        sessions.start(0, user, draws, Math.max(start, clock + model.model.session.gapSeconds + 1));
        count++;
        for (let hasLeft = false; !hasLeft; ) {
          const row = sessions.rows[0];
          users[0] = row;
          lengths[0] = log.rowLengths[row];
          times[0] = sessions.clocks[0];
          // ε = 1 shows a uniform item whatever the scores (the random policy): nothing to score.
          if (epsilon < 1) await agent.scoreItems(batch, scores);
          const { item, tied } = bestOrUniform(scores, support, epsilon, draws);
          shown[0] = item;
          if (onState) await onState(batch, sessions);
          const time = sessions.clocks[0];
          hasLeft = sessions.respond(0, shown, 0, 1, draws);
          const propensity = (1 - epsilon) * (tied > 0 ? 1 / tied : 0) + epsilon / support.length;
          const isTaken = sessions.chosen[0] === 0;
          onRecommendation({ user, item, time, propensity, accepted: isTaken, actedItem: sessions.actedItems[0], depth: sessions.depths[0] });
          recommendations++;
          if (isTaken) accepted++;
          events += writeStepEvents(sessions, 0, userRaw, sink);
        }
        clock = log.times[log.end(sessions.rows[0]) - 1];
      }
    }
  }
  return { events, sessions: count, recommendations, accepted };
}

/**
 * The shown item: with probability `epsilon` uniform over `support`, else the best-scoring item of
 * it, ties uniform; `tied` is how many items of the support share the best score if the item is
 * one of them, else 0 (an exploratory draw of a worse item).
 */
function bestOrUniform(scores: Float64Array, support: readonly number[], epsilon: number, draws: Rng): { item: number; tied: number } {
  let best = Number.NEGATIVE_INFINITY;
  let tied = 0;
  for (const x of support) {
    const s = Number.isNaN(scores[x]) ? Number.NEGATIVE_INFINITY : scores[x];
    if (s > best) {
      best = s;
      tied = 1;
    } else if (s === best) tied++;
  }
  const isExploring = epsilon > 0 && draws.next() < epsilon;
  let item: number;
  if (isExploring) {
    item = support[draws.nextInt(support.length)];
  } else {
    let pick = draws.nextInt(tied);
    item = support[0];
    for (const x of support) {
      const s = Number.isNaN(scores[x]) ? Number.NEGATIVE_INFINITY : scores[x];
      if (s === best && pick-- === 0) {
        item = x;
        break;
      }
    }
  }
  const score = Number.isNaN(scores[item]) ? Number.NEGATIVE_INFINITY : scores[item];
  return { item, tied: score === best ? tied : 0 };
}
