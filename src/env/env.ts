import type { Space } from './spaces/space.js';

/** Free-form diagnostics returned by `reset` and `step`. */
export type Info = Record<string, unknown>;

/** What `reset` returns: the first observation of a new episode. */
export interface ResetResult<Obs, I extends Info = Info> {
  readonly observation: Obs;
  readonly info: I;
}

/** What `step` returns (Gymnasium's five fields; never a single `done`). */
export interface StepResult<Obs, I extends Info = Info> {
  readonly observation: Obs;
  readonly reward: number;
  /** The episode really ended (the user's logged session is over): do not bootstrap. */
  readonly terminated: boolean;
  /** The episode was cut (time limit, window edge): bootstrap from `observation`. */
  readonly truncated: boolean;
  readonly info: I;
}

/** Options of `reset`. */
export interface ResetOptions<O = Record<string, unknown>> {
  /** Re-creates the env's generator from this seed; omitted keeps the current one. */
  readonly seed?: number | string;
  readonly options?: O;
}

/** Static description of an env: its id and the episode limit it was made with. */
export interface EnvSpec {
  readonly id: string;
  readonly maxEpisodeSteps?: number;
  readonly kwargs?: Readonly<Record<string, unknown>>;
}

/**
 * An environment with the Gymnasium contract.
 *
 * - `reset({ seed?, options? })` starts an episode and returns `{ observation, info }`. A seed
 *   re-creates the env's Rng (so the same seed gives the same rollout); no seed keeps it.
 * - `step(action)` advances one step and returns `{ observation, reward, terminated, truncated, info }`.
 *   Stepping before the first reset or after `terminated || truncated` throws RESET_NEEDED;
 *   an action outside `actionSpace` throws INVALID_ACTION.
 * - `close()` releases resources; calling it twice is safe.
 */
export interface Env<Obs, Act, RO = Record<string, unknown>> {
  readonly actionSpace: Space<Act>;
  readonly observationSpace: Space<Obs>;
  spec?: EnvSpec;
  reset(options?: ResetOptions<RO>): ResetResult<Obs>;
  step(action: Act): StepResult<Obs>;
  close(): void;
}

/** Base of Gymnasium-style wrappers: forwards everything to the wrapped env. */
export class Wrapper<Obs, Act, RO = Record<string, unknown>> implements Env<Obs, Act, RO> {
  readonly env: Env<Obs, Act, RO>;

  constructor(env: Env<Obs, Act, RO>) {
    if (!env || typeof env.step !== 'function' || typeof env.reset !== 'function') {
      throw new TypeError(`expected an Env with reset() and step(), actual ${String(env)}`);
    }
    this.env = env;
  }

  get actionSpace(): Space<Act> {
    return this.env.actionSpace;
  }

  get observationSpace(): Space<Obs> {
    return this.env.observationSpace;
  }

  get spec(): EnvSpec | undefined {
    return this.env.spec;
  }

  set spec(value: EnvSpec | undefined) {
    this.env.spec = value;
  }

  /** The innermost env. */
  get unwrapped(): Env<Obs, Act, RO> {
    let env: Env<Obs, Act, RO> = this.env;
    while (env instanceof Wrapper) env = env.env;
    return env;
  }

  reset(options?: ResetOptions<RO>): ResetResult<Obs> {
    return this.env.reset(options);
  }

  step(action: Act): StepResult<Obs> {
    return this.env.step(action);
  }

  close(): void {
    this.env.close();
  }
}
