import { ErrorCode, RecGymError } from '../core/errors.js';
import type { BehaviorCode } from '../data/behavior.js';
import type { Env, EnvSpec, ResetOptions, ResetResult, StepResult } from './env.js';
import { observationAt, type ReplayObservation, type ReplayObservationSpace, type VectorObservation } from './observation.js';
import type { ReplayEnvOptions } from './replay-options.js';
import { ReplayCoreEnv } from './replay-dynamics.js';
import type { Discrete } from './spaces/discrete.js';
import type { Slate } from './spaces/slate.js';
import type { Space } from './spaces/space.js';

/**
 * An action: a candidate index (candidates mode) or a slate of item indices (slate mode). Items are
 * the store's dense indices (0 .. numItems - 1, what observations hold); `info.candidateIds` and
 * `info.event.itemId` give the log's own item ids.
 */
export type ReplayAction = number | Int32Array;

/** The logged event a step was judged against (`item`, `category`: dense indices; `position` in the store). */
export interface LoggedEvent {
  readonly position: number;
  readonly item: number;
  /** The log's id of `item`. */
  readonly itemId: number;
  readonly category: number;
  readonly behavior: BehaviorCode;
  /** Unix seconds. */
  readonly time: number;
}

/** `info` of `reset`. */
export interface ReplayResetInfo {
  [key: string]: unknown;
  readonly episode: number;
  readonly numEpisodes: number;
  /** Dense user id and the log's raw id. */
  readonly user: number;
  readonly userId: number;
  /** Store position of the first target event. */
  readonly position: number;
  readonly trainingEpoch: number;
  /** Candidates mode: the log's item ids of `observation.candidates`, in the same order. */
  readonly candidateIds?: number[];
}

/** `info` of `step`. */
export interface ReplayStepInfo {
  [key: string]: unknown;
  /** The logged event the action was judged against. */
  readonly event: LoggedEvent;
  readonly hit: boolean;
  /** Index of the logged item in the candidates (slate: in the action), -1 when absent. */
  readonly positiveIndex: number;
  readonly episode: number;
  readonly user: number;
  readonly userId: number;
  /** Steps taken in this episode, this one included. */
  readonly episodeStep: number;
  readonly trainingEpoch: number;
  /** Candidates mode: the log's item ids of the returned `observation.candidates`, in the same order. */
  readonly candidateIds?: number[];
}

/** Options of `reset`: choose the episode by index or by raw user id (first episode of that user). */
export interface ReplayResetOptions {
  readonly episode?: number;
  readonly user?: number;
}

/**
 * Replays logged behaviour as an MDP. An episode is one user's events in the train or test window;
 * each step's target is the next logged event, the observation shows the events before it.
 * The env is one slot of the replay core (`ReplayDynamics` behind `MdpCore`) that
 * {@link VectorRecommendationEnv} runs N of: with the same options and seed, its episodes, candidates,
 * rewards and ends are those of slot 0 of a one-slot vector env (episodes not chosen by
 * `reset({ options })` come from the seeded shuffled order, reshuffled after each pass).
 *
 * @param {EventStore} options.store the logged events
 * @param {'train'|'test'} [options.split='train'] replayed window (from `splitByDay(store, testDay)`)
 * @param {'candidates'|'slate'} [options.mode='candidates'] action mode
 * @param {number} [options.numCandidates=20] C; [options.slateSize=10] K; [options.historyLength=10] L
 * @param {'uniform'|'popularity'} [options.negatives='uniform'] negative sampling
 * @param {'train'|'all'} [options.catalogue='train'] items negatives and slates come from
 * @param {RewardTable} [options.rewards=DEFAULT_REWARDS] reward table; [options.trainingEpoch=0], [options.trainingEpochSchedule]
 * @param {number} [options.maxEpisodeSteps] truncation; [options.gapSeconds] episode gap; [options.minHistory=1]
 */
export class RecommendationEnv extends ReplayCoreEnv implements Env<ReplayObservation, ReplayAction, ReplayResetOptions> {
  readonly actionSpace: Space<ReplayAction>;
  readonly observationSpace: ReplayObservationSpace;
  spec?: EnvSpec;
  /** The one slot's action as the core reads it: a candidate index, or the K items of a slate. */
  readonly #actions: Int32Array;

  constructor(options: ReplayEnvOptions) {
    super(options, 1, 'RecommendationEnv');
    this.actionSpace = this.setup.actionSpace as Space<ReplayAction>;
    this.observationSpace = this.setup.observationSpace;
    this.#actions = new Int32Array(Math.max(1, this.core.dynamics.slateSize));
  }

  /**
   * Starts an episode: `options.episode` (index) or `options.user` (raw user id) chooses it, else
   * the next of the seeded shuffled order is dealt. A `seed` re-creates the Rng and restarts the order first.
   */
  reset(resetOptions: ResetOptions<ReplayResetOptions> = {}): ResetResult<ReplayObservation, ReplayResetInfo> {
    const episode = this.startOne(resetOptions.seed, () => this.#chosenEpisode(resetOptions.options));
    const core = this.core;
    const { store, episodes } = this.setup;
    const user = episodes.user[episode];
    const observation = this.#observation(core.observations);
    return {
      observation,
      info: {
        episode,
        numEpisodes: episodes.count,
        user,
        userId: store.userIds.rawOf(user),
        position: episodes.start[episode],
        trainingEpoch: core.trainingEpoch,
        ...this.#candidateIds(observation),
      },
    };
  }

  /**
   * Judges `action` against the logged next event and advances: reward = the event's behaviour
   * reward when the action hits it, else 0; `terminated` at the end of the user's episode,
   * `truncated` at `maxEpisodeSteps` or the window edge. After the last step the observation shows
   * the history including the last event, with the next in-window event as positive if there is one.
   */
  step(action: ReplayAction): StepResult<ReplayObservation, ReplayStepInfo> {
    const isActive = this.stepOne(action, this.actionSpace as Discrete | Slate, this.#actions);
    const core = this.core;
    const { terminations, truncations, targetPositions, positiveIndices } = core.outcome;
    const terminated = terminations[0] === 1;
    const truncated = truncations[0] === 1;
    const { store } = this.setup;
    const p = targetPositions[0];
    const user = store.users[p];
    const observation = this.#observation(isActive ? core.observations : core.finalObservations);
    const info: ReplayStepInfo = {
      event: { position: p, item: store.items[p], itemId: store.itemIds.rawOf(store.items[p]), category: store.categories[p], behavior: store.behaviors[p] as BehaviorCode, time: store.times[p] },
      hit: core.hits[0] === 1,
      positiveIndex: positiveIndices[0],
      episode: core.actedEpisodes[0],
      user,
      userId: store.userIds.rawOf(user),
      episodeStep: core.slotSteps[0],
      trainingEpoch: core.trainingEpoch,
      ...this.#candidateIds(observation),
    };
    return { observation, reward: core.rewardOf(0), terminated, truncated, info };
  }

  #candidateIds(observation: ReplayObservation): { candidateIds?: number[] } {
    const { candidates } = observation;
    if (candidates === undefined) return {};
    const ids = this.setup.store.itemIds;
    return { candidateIds: Array.from(candidates, (item) => ids.rawOf(item)) };
  }

  #observation(batch: VectorObservation): ReplayObservation {
    const { historyLength, numCandidates } = this.core.dynamics;
    return observationAt(batch, 0, historyLength, numCandidates);
  }

  /** The episode `options` choose, or -1 to deal the next one. */
  #chosenEpisode(choice: ReplayResetOptions | undefined): number {
    const { episodes, store } = this.setup;
    if (choice?.episode !== undefined) {
      const e = choice.episode;
      if (!Number.isInteger(e) || e < 0 || e >= episodes.count) {
        throw new RangeError(`reset: options.episode: expected an integer in [0, ${episodes.count - 1}], actual ${e}`);
      }
      return e;
    }
    if (choice?.user !== undefined) {
      const user = store.userIds.get(choice.user);
      const e = user < 0 ? -1 : firstEpisodeOf(episodes.user, user);
      if (e < 0) {
        throw new RecGymError(
          ErrorCode.BAD_OPTION,
          `reset: options.user: expected a user with an episode in the ${this.setup.options.split} window, actual ${choice.user}`,
        );
      }
      return e;
    }
    return -1;
  }
}

/** The first episode of dense user `user` (episodes are ordered by user); -1 when none. */
function firstEpisodeOf(episodeUsers: Int32Array, user: number): number {
  let lo = 0;
  let hi = episodeUsers.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (episodeUsers[mid] < user) lo = mid + 1;
    else hi = mid;
  }
  return lo < episodeUsers.length && episodeUsers[lo] === user ? lo : -1;
}

/** Creates a {@link RecommendationEnv}. */
export function createRecommendationEnv(options: ReplayEnvOptions): RecommendationEnv {
  return new RecommendationEnv(options);
}
