import type { Env, ResetOptions, ResetResult, StepResult } from '../env.js';
import { Wrapper } from '../env.js';

/** Truncates episodes after `maxEpisodeSteps` steps (sets `truncated`; keeps `terminated` as the env said). */
export class TimeLimit<Obs, Act, RO = Record<string, unknown>> extends Wrapper<Obs, Act, RO> {
  readonly maxEpisodeSteps: number;
  #elapsedSteps = 0;

  constructor(env: Env<Obs, Act, RO>, maxEpisodeSteps: number) {
    super(env);
    if (!Number.isInteger(maxEpisodeSteps) || maxEpisodeSteps < 1) {
      throw new RangeError(`expected maxEpisodeSteps to be an integer >= 1, actual ${maxEpisodeSteps}`);
    }
    this.maxEpisodeSteps = maxEpisodeSteps;
  }

  /** Steps taken in the current episode. */
  get elapsedSteps(): number {
    return this.#elapsedSteps;
  }

  override reset(options?: ResetOptions<RO>): ResetResult<Obs> {
    this.#elapsedSteps = 0;
    return this.env.reset(options);
  }

  override step(action: Act): StepResult<Obs> {
    const result = this.env.step(action);
    this.#elapsedSteps++;
    if (this.#elapsedSteps >= this.maxEpisodeSteps && !result.truncated) {
      return { ...result, truncated: true };
    }
    return result;
  }
}
