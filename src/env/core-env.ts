import { ErrorCode, RecGymError } from '../core/errors.js';
import { assertSeed } from '../core/rng.js';
import type { MdpCore } from './mdp-core.js';
import type { Discrete } from './spaces/discrete.js';
import type { Slate } from './spaces/slate.js';

/**
 * What every env over an {@link MdpCore} shares, in its single and its vector form: the core, the
 * reads of progress and the training epoch over it, and `close`.
 */
export abstract class CoreEnv {
  protected readonly core: MdpCore;
  readonly #who: string;
  #isClosed = false;
  /** The single env's slot 0: whether an episode was ever started, and whether one runs. */
  #hasStarted = false;
  #isActive = false;

  protected constructor(core: MdpCore, who: string) {
    this.core = core;
    this.#who = who;
  }

  /** Releases the env; later calls to reset/step throw CLOSED. Safe to call twice. */
  close(): void {
    this.#isClosed = true;
  }

  /**
   * The single env's reset: re-seeds the dynamics when `seed` is given, then starts slot 0 at the
   * episode `choose` returns (-1: the next one dealt); returns the episode.
   */
  protected startOne(seed: number | undefined, choose: () => number): number {
    this.assertOpen();
    const core = this.core;
    if (seed !== undefined) {
      assertSeed(seed, `${this.#who}.reset seed`);
      core.dynamics.seed(seed);
    }
    const episode = core.startEpisode(0, choose());
    this.#hasStarted = true;
    this.#isActive = true;
    return episode;
  }

  /**
   * The single env's step: throws CLOSED, RESET_NEEDED unless an episode runs, INVALID_ACTION for
   * an action outside `space`; then writes the action into `actions` (a candidate index, or the K
   * items of a slate) and steps slot 0 without auto-reset. Returns whether the episode is still running.
   */
  protected stepOne(action: number | Int32Array, space: Discrete | Slate, actions: Int32Array): boolean {
    this.assertOpen();
    if (!this.#isActive) {
      throw new RecGymError(
        ErrorCode.RESET_NEEDED,
        this.#hasStarted
          ? `${this.#who}.step: the episode is over (terminated or truncated); call reset() before stepping again`
          : `${this.#who}.step: expected reset() before the first step, actual step() on a fresh env`,
      );
    }
    const reason = space.explain(action);
    if (reason !== undefined) throw new RecGymError(ErrorCode.INVALID_ACTION, `${this.#who}.step: action: ${reason}`);
    if (typeof action === 'number') actions[0] = action;
    else actions.set(action);
    const core = this.core;
    core.step(actions, false);
    this.#isActive = core.outcome.terminations[0] === 0 && core.outcome.truncations[0] === 0;
    return this.#isActive;
  }

  protected assertOpen(): void {
    if (this.#isClosed) throw new RecGymError(ErrorCode.CLOSED, `${this.#who}: the env is closed; create a new one`);
  }

  /** Completed passes over all episodes. */
  get passes(): number {
    return this.core.dynamics.passes;
  }

  /** Total slot-steps taken since construction. */
  get totalSteps(): number {
    return this.core.totalSteps;
  }

  /** The training epoch rewards are paid at. */
  get trainingEpoch(): number {
    return this.core.trainingEpoch;
  }

  /** Sets the training epoch (the purchase reward schedule); a schedule, if any, overrides it at the next episode start. */
  setTrainingEpoch(trainingEpoch: number): void {
    this.core.setTrainingEpoch(trainingEpoch);
  }
}
