import { ErrorCode, RecGymError } from '../../core/errors.js';
import type { ResetOptions, ResetResult, StepResult } from '../env.js';
import { Wrapper } from '../env.js';

/** Thrown by {@link OrderEnforcing} when `step` comes before `reset` or after the episode ended. */
export class ResetNeededError extends RecGymError {
  constructor(message: string) {
    super(ErrorCode.RESET_NEEDED, message);
    this.name = 'ResetNeededError';
  }
}

/** Makes any env throw {@link ResetNeededError} on step-before-reset and step-after-end. */
export class OrderEnforcing<Obs, Act, RO = Record<string, unknown>> extends Wrapper<Obs, Act, RO> {
  #hasReset = false;
  #isOver = false;

  /** True once `reset` was called. */
  get hasReset(): boolean {
    return this.#hasReset;
  }

  override reset(options?: ResetOptions<RO>): ResetResult<Obs> {
    const result = this.env.reset(options);
    this.#hasReset = true;
    this.#isOver = false;
    return result;
  }

  override step(action: Act): StepResult<Obs> {
    if (!this.#hasReset) throw new ResetNeededError('step: expected reset() before the first step, actual step() first; call reset()');
    if (this.#isOver) throw new ResetNeededError('step: the episode is over (terminated or truncated); call reset() before stepping again');
    const result = this.env.step(action);
    if (result.terminated || result.truncated) this.#isOver = true;
    return result;
  }
}
