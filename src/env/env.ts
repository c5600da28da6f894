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
  /** Re-creates the env's generator from this seed (an integer 0 .. 2^53 - 1); omitted keeps the current one. */
  readonly seed?: number;
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

/** What a vector env's `reset` returns: the batch of every slot's first observation. */
export interface VectorEnvResetResult<Batch> {
  readonly observations: Batch;
  readonly info: object;
}

/** What a vector env's `step` returns: one entry per slot (Gymnasium's arrays; never a `dones`). */
export interface VectorEnvStepResult<Batch> {
  /** Next observations; a finished slot already shows its new episode's first observation. */
  readonly observations: Batch;
  readonly rewards: Float32Array;
  /** 1 where the episode really ended: do not bootstrap. */
  readonly terminations: Uint8Array;
  /** 1 where the episode was cut: bootstrap from the final observation. */
  readonly truncations: Uint8Array;
  /** Each finished episode's last observation, valid only where terminations | truncations. */
  readonly finalObservations: Batch;
  readonly info: object;
}

/**
 * `numEnvs` episodes stepped in lock-step with same-step auto-reset (Gymnasium's vector env with
 * `final_obs`). Actions are one `Int32Array` laid out by `setAction`; observations one batch
 * read slot by slot with `observationAt`.
 *
 * - `reset({ seed? })` starts an episode in every slot; a seed re-creates the Rng, no seed keeps it.
 * - `step(actions)` steps every slot; a slot whose episode ends shows its last observation in
 *   `finalObservations` and starts its next episode in the same step (never RESET_NEEDED after the
 *   first reset); an invalid action throws INVALID_ACTION. Results may be overwritten by the next call.
 * - `close()` releases resources; calling it twice is safe.
 */
export interface VectorEnv<Obs, Act, Batch> {
  readonly numEnvs: number;
  readonly singleActionSpace: Space<Act>;
  readonly singleObservationSpace: Space<Obs>;
  spec?: EnvSpec;
  reset(options?: { readonly seed?: number }): VectorEnvResetResult<Batch>;
  step(actions: Int32Array): VectorEnvStepResult<Batch>;
  /** Slot `slot` of a batch as a single observation (a copy). */
  observationAt(batch: Batch, slot: number): Obs;
  /** A batch of actions for every slot (zeros, not necessarily valid). */
  createActions(): Int32Array;
  /** Writes one slot's action into a batch of actions. */
  setAction(actions: Int32Array, slot: number, action: Act): void;
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

// biome-ignore lint/suspicious/noExplicitAny: any env whatever its observation, action and reset-option types (the checker and the registry take every env)
export type AnyEnv = Env<any, any, any>;

// biome-ignore lint/suspicious/noExplicitAny: any vector env whatever its types (the checker and the registry take every env)
export type AnyVectorEnv = VectorEnv<any, any, any>;
