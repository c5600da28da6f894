import { ErrorCode, RecGymError } from '../core/errors.js';
import { CoreEnv } from './core-env.js';
import type { Env, EnvSpec, ResetOptions, ResetResult, StepResult } from './env.js';
import { observationAt, type ReplayObservation, type ReplayObservationSpace, type VectorObservation } from './observation.js';
import type { ReplayAction } from './recommendation-env.js';
import { createSimCore, type SimDynamics } from './sim-dynamics.js';
import { createSimSetup, type SimEnvOptions, type SimSetup } from './sim-options.js';
import type { Discrete } from './spaces/discrete.js';
import type { Slate } from './spaces/slate.js';
import type { Space } from './spaces/space.js';

/** `info` of a simulated env's `reset`. */
export interface SimResetInfo {
  [key: string]: unknown;
  readonly episode: number;
  readonly numEpisodes: number;
  /** Dense user id and the log's raw id of the simulated shopper. */
  readonly user: number;
  readonly userId: number;
  /** The session's start (unix seconds, UTC). */
  readonly time: number;
  readonly trainingEpoch: number;
}

/** `info` of a simulated env's `step`. */
export interface SimStepInfo {
  [key: string]: unknown;
  /** The item the shopper acted on: the chosen shown item, or the one they browsed on their own. */
  readonly item: number;
  /** Index of the chosen item in the action (slate position, or 0 for the one candidate shown); -1 when they browsed on their own. */
  readonly chosen: number;
  /** Deepest behaviour on the acted item (1 click .. 4 purchase). */
  readonly behavior: number;
  /** The chance any shown item had of being chosen. */
  readonly shownChance: number;
  /** True when the action showed an item without training events (outside the fitted support). */
  readonly outsideSupport: boolean;
  readonly patience: number;
  /** Chance of a session the next day, given when the shopper left (else 0). */
  readonly returnChance: number;
  readonly episode: number;
  readonly user: number;
  readonly userId: number;
  /** Steps taken in this episode, this one included. */
  readonly episodeStep: number;
  readonly trainingEpoch: number;
}

/** Options of a simulated env's `reset`: choose the shopper by raw user id. */
export interface SimResetOptions {
  readonly user?: number;
}

/**
 * The user simulator as a Gymnasium env: one slot of the simulated core (`SimDynamics` behind
 * `MdpCore`), with the observation and action spaces of {@link RecommendationEnv} so that every
 * agent runs unchanged. An episode is one session of a fitted shopper; `terminated` when they leave,
 * `truncated` at `maxEpisodeSteps`. Options: those of the replay env's actions, observations and
 * rewards, and `simulator` (a preset name or a fitted model).
 */
export class SimulatorEnv extends CoreEnv implements Env<ReplayObservation, ReplayAction, SimResetOptions> {
  readonly setup: SimSetup;
  readonly actionSpace: Space<ReplayAction>;
  readonly observationSpace: ReplayObservationSpace;
  spec?: EnvSpec;
  readonly #actions: Int32Array;
  readonly #dynamics: SimDynamics;

  constructor(options: SimEnvOptions) {
    const setup = createSimSetup(options, 'SimulatorEnv');
    super(createSimCore(setup, 1), 'SimulatorEnv');
    this.setup = setup;
    this.#dynamics = this.core.dynamics as SimDynamics;
    this.actionSpace = setup.actionSpace as Space<ReplayAction>;
    this.observationSpace = setup.observationSpace;
    this.#actions = new Int32Array(Math.max(1, this.#dynamics.slateSize));
  }

  /** Number of shoppers an episode can be. */
  get numEpisodes(): number {
    return this.setup.shoppers.shoppers.length;
  }

  /** Starts a session: `options.user` (raw user id) chooses the shopper, else the next of the seeded shuffled order. A `seed` re-creates the Rng first. */
  reset(resetOptions: ResetOptions<SimResetOptions> = {}): ResetResult<ReplayObservation, SimResetInfo> {
    const episode = this.startOne(resetOptions.seed, () => this.#chosenEpisode(resetOptions.options));
    const core = this.core;
    const user = this.setup.shoppers.shoppers[episode];
    return {
      observation: this.#observation(core.observations),
      info: { episode, numEpisodes: this.numEpisodes, user, userId: this.setup.store.userIds.rawOf(user), time: this.#dynamics.sessions.clocks[0], trainingEpoch: core.trainingEpoch },
    };
  }

  /**
   * Shows the action to the shopper and advances: reward = the reward of the deepest behaviour on a
   * chosen shown item, 0 when they browsed on their own; `terminated` when they leave, `truncated` at
   * `maxEpisodeSteps`.
   */
  step(action: ReplayAction): StepResult<ReplayObservation, SimStepInfo> {
    const isActive = this.stepOne(action, this.actionSpace as Discrete | Slate, this.#actions);
    const core = this.core;
    const terminated = core.outcome.terminations[0] === 1;
    const truncated = core.outcome.truncations[0] === 1;
    const sessions = this.#dynamics.sessions;
    const user = sessions.users[0];
    const info: SimStepInfo = {
      item: sessions.actedItems[0],
      chosen: sessions.chosen[0],
      behavior: sessions.depths[0],
      shownChance: sessions.shownChances[0],
      outsideSupport: this.#dynamics.outsideSupport[0] === 1,
      patience: sessions.patience[0],
      returnChance: sessions.returnChances[0],
      episode: core.actedEpisodes[0],
      user,
      userId: this.setup.store.userIds.rawOf(user),
      episodeStep: core.slotSteps[0],
      trainingEpoch: core.trainingEpoch,
    };
    const observation = this.#observation(isActive ? core.observations : core.finalObservations);
    return { observation, reward: core.rewardOf(0), terminated, truncated, info };
  }

  #observation(batch: VectorObservation): ReplayObservation {
    return observationAt(batch, 0, this.#dynamics.historyLength, this.#dynamics.numCandidates);
  }

  /** The episode of the shopper `choice.user` names, or -1 to deal the next one. */
  #chosenEpisode(choice: SimResetOptions | undefined): number {
    if (choice?.user === undefined) return -1;
    const user = this.setup.store.userIds.get(choice.user);
    const episode = user < 0 ? -1 : this.setup.shoppers.shoppers.indexOf(user);
    if (episode < 0) throw new RecGymError(ErrorCode.BAD_OPTION, `reset: options.user: expected a user with events in the simulator's training window, actual ${choice.user}`);
    return episode;
  }
}
