import { ErrorCode, RecGymError } from '../core/errors.js';
import { createRng, type Rng } from '../core/rng.js';
import type { BehaviorCode } from '../data/behavior.js';
import type { Env, EnvSpec, ResetOptions, ResetResult, StepResult } from './env.js';
import { createObservation, writeHistory, type ReplayObservation, type ReplayObservationSpace } from './observation.js';
import { createReplaySetup, scheduledEpoch, type ReplayEnvOptions, type ReplaySetup } from './replay-options.js';
import { rewardLookup } from './rewards.js';
import type { Discrete } from './spaces/discrete.js';
import type { Slate } from './spaces/slate.js';
import type { Space } from './spaces/space.js';
import { UniformStream } from './uniform-stream.js';

/** An action: a candidate index (candidates mode) or a slate of item ids (slate mode). */
export type ReplayAction = number | Int32Array;

/** The logged event a step was judged against (dense ids; `position` in the store). */
export interface LoggedEvent {
  readonly position: number;
  readonly item: number;
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
  readonly epoch: number;
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
  readonly epoch: number;
}

/** Options of `reset`: choose the episode by index or by raw user id (first episode of that user). */
export interface ReplayResetOptions {
  readonly episode?: number;
  readonly user?: number;
}

/**
 * Replays logged behaviour as an MDP. An episode is one user's events in the train or test window;
 * each step's target is the next logged event, the observation shows the events before it.
 *
 * @param {EventStore} options.store the logged events
 * @param {'train'|'test'} [options.split='train'] replayed window (from `splitByDay(store, testDay)`)
 * @param {'candidates'|'slate'} [options.mode='candidates'] action mode
 * @param {number} [options.numCandidates=20] C; [options.slateSize=10] K; [options.historyLength=10] L
 * @param {'uniform'|'popularity'} [options.negatives='uniform'] negative sampling
 * @param {'train'|'all'} [options.catalogue='train'] items negatives and slates come from
 * @param {RewardTable} [options.rewards=DEFAULT_REWARDS] reward table; [options.epoch=0], [options.epochSchedule]
 * @param {number} [options.maxEpisodeSteps] truncation; [options.gapSeconds] episode gap; [options.minHistory=1]
 */
export class RecommendationEnv implements Env<ReplayObservation, ReplayAction, ReplayResetOptions> {
  readonly actionSpace: Space<ReplayAction>;
  readonly observationSpace: ReplayObservationSpace;
  spec?: EnvSpec;
  /** The precomputed split, episodes, catalogue and sampler. */
  readonly setup: ReplaySetup;
  #rng: Rng;
  /** Candidate draws; seeded from #rng. */
  #stream: UniformStream;
  #epoch: number;
  readonly #lookup = new Float64Array(5);
  #episodesStarted = 0;
  #totalSteps = 0;
  #isClosed = false;
  // Episode state; #position < 0 means a reset is needed.
  #episode = -1;
  #position = -1;
  #end = -1;
  #userStart = 0;
  #episodeStep = 0;
  #positiveIndex = -1;

  constructor(options: ReplayEnvOptions) {
    this.setup = createReplaySetup(options, 'RecommendationEnv');
    const { options: resolved } = this.setup;
    this.actionSpace = this.setup.actionSpace as Space<ReplayAction>;
    this.observationSpace = this.setup.observationSpace;
    this.#rng = createRng(resolved.seed ?? 0);
    this.#stream = new UniformStream(this.#rng);
    this.#epoch = resolved.epoch;
    rewardLookup(resolved.rewards, this.#epoch, this.#lookup);
  }

  /** Number of episodes in the replayed window. */
  get numEpisodes(): number {
    return this.setup.episodes.count;
  }

  /** The current reward epoch. */
  get epoch(): number {
    return this.#epoch;
  }

  /** Sets the reward epoch (the purchase reward schedule); a schedule, if any, overrides it at the next reset. */
  setEpoch(epoch: number): void {
    rewardLookup(this.setup.rewards, epoch, this.#lookup);
    this.#epoch = epoch;
  }

  /**
   * Starts an episode: `options.episode` (index) or `options.user` (raw user id) chooses it, else
   * the env's Rng picks one uniformly. A `seed` re-creates the Rng first.
   */
  reset(resetOptions: ResetOptions<ReplayResetOptions> = {}): ResetResult<ReplayObservation, ReplayResetInfo> {
    this.#assertOpen();
    if (resetOptions.seed !== undefined) {
      this.#rng = createRng(resetOptions.seed);
      this.#stream = new UniformStream(this.#rng);
    }
    const { episodes, store, options } = this.setup;
    const episode = this.#chooseEpisode(resetOptions.options);
    if (options.epochSchedule) {
      const passes = Math.floor(this.#episodesStarted / episodes.count);
      this.setEpoch(scheduledEpoch(options.epochSchedule, { episodes: this.#episodesStarted, steps: this.#totalSteps, passes }));
    }
    this.#episodesStarted++;
    const user = episodes.user[episode];
    this.#episode = episode;
    this.#position = episodes.start[episode];
    this.#end = episodes.end[episode];
    this.#userStart = store.userOffsets[user];
    this.#episodeStep = 0;
    const observation = this.#observe(this.#position, this.#position);
    this.#positiveIndex = observation.positiveIndex;
    return {
      observation: observation.observation,
      info: {
        episode,
        numEpisodes: episodes.count,
        user,
        userId: store.userIds.rawOf(user),
        position: this.#position,
        epoch: this.#epoch,
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
    this.#assertOpen();
    const p = this.#position;
    if (p < 0) {
      throw new RecGymError(
        ErrorCode.RESET_NEEDED,
        this.#episode < 0
          ? 'RecommendationEnv.step: expected reset() before the first step, actual step() on a fresh env'
          : 'RecommendationEnv.step: the episode is over (terminated or truncated); call reset() before stepping again',
      );
    }
    const { store, options, episodes } = this.setup;
    const targetItem = store.items[p];
    let positiveIndex: number;
    if (options.mode === 'candidates') {
      const reason = (this.actionSpace as Discrete).explain(action);
      if (reason !== undefined) throw new RecGymError(ErrorCode.INVALID_ACTION, `RecommendationEnv.step: action: ${reason}`);
      positiveIndex = this.#positiveIndex;
    } else {
      const reason = (this.actionSpace as Slate).explain(action);
      if (reason !== undefined) throw new RecGymError(ErrorCode.INVALID_ACTION, `RecommendationEnv.step: action: ${reason}`);
      positiveIndex = (action as Int32Array).indexOf(targetItem);
    }
    const hit = options.mode === 'candidates' ? action === positiveIndex : positiveIndex >= 0;
    const behavior = store.behaviors[p] as BehaviorCode;
    const reward = hit ? this.#lookup[behavior] : 0;
    this.#episodeStep++;
    this.#totalSteps++;
    const next = p + 1;
    const isEnd = next === this.#end;
    const terminated = isEnd && episodes.cutByWindow[this.#episode] === 0;
    const truncated =
      (isEnd && episodes.cutByWindow[this.#episode] === 1) ||
      (options.maxEpisodeSteps !== undefined && this.#episodeStep >= options.maxEpisodeSteps);
    const user = store.users[p];
    const info: ReplayStepInfo = {
      event: { position: p, item: targetItem, category: store.categories[p], behavior, time: store.times[p] },
      hit,
      positiveIndex,
      episode: this.#episode,
      user,
      userId: store.userIds.rawOf(user),
      episodeStep: this.#episodeStep,
      epoch: this.#epoch,
    };
    const hasNext = next < store.userOffsets[user + 1] && store.times[next] < this.setup.window.end;
    const observed = this.#observe(next, hasNext ? next : -1);
    if (terminated || truncated) {
      this.#position = -1;
      this.#positiveIndex = -1;
    } else {
      this.#position = next;
      this.#positiveIndex = observed.positiveIndex;
    }
    return { observation: observed.observation, reward, terminated, truncated, info };
  }

  /** Releases the env; later calls to reset/step throw CLOSED. Safe to call twice. */
  close(): void {
    this.#isClosed = true;
    this.#position = -1;
  }

  #assertOpen(): void {
    if (this.#isClosed) throw new RecGymError(ErrorCode.CLOSED, 'RecommendationEnv: the env is closed; create a new one');
  }

  #chooseEpisode(choice: ReplayResetOptions | undefined): number {
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
    return this.#rng.nextInt(episodes.count);
  }

  /** History of events before `historyEnd`; candidates with the item at `target` (or none when -1). */
  #observe(historyEnd: number, target: number): { observation: ReplayObservation; positiveIndex: number } {
    const { store, hours, sampler, options } = this.setup;
    const observation = createObservation(options.historyLength, sampler?.numCandidates);
    writeHistory(store, hours, this.#userStart, historyEnd, options.historyLength, observation, 0);
    let positiveIndex = -1;
    if (sampler) positiveIndex = sampler.fill(observation.candidates!, 0, target >= 0 ? store.items[target] : -1, this.#stream);
    return { observation, positiveIndex };
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
