import { ErrorCode, RecGymError } from '../core/errors.js';
import type { Env, EnvSpec, ResetOptions, ResetResult, StepResult, VectorEnv, VectorEnvResetResult, VectorEnvStepResult } from '../env/env.js';
import { spaceFromDescription } from '../env/spaces/describe.js';
import { Slate } from '../env/spaces/slate.js';
import type { Space } from '../env/spaces/space.js';
import { RemoteConnection, type RemoteConnectionOptions } from './remote-connection.js';
import { batchSlot, decodeBatch, decodeValue, encodeValue, type Decoded, type TypedBatch } from './wire.js';

export { RemoteConnection, RemoteError, type RemoteConnectionOptions } from './remote-connection.js';

/** Options of {@link RemoteEnv.make} and {@link RemoteVectorEnv.make}. */
export interface RemoteMakeOptions {
  /** The env's options (JSON ones; the server supplies the data). */
  readonly options?: Record<string, unknown>;
  /** Seed of the env's generator until a reset with a seed. */
  readonly seed?: number;
}

/** What the server sent, or CONNECTION when it does not fit the space (the server broke the protocol). */
function decoded<T>(result: Decoded<T>): T {
  if (!result.ok) throw new RecGymError(ErrorCode.CONNECTION, `the server sent an observation outside its space: ${result.reason}`);
  return result.value;
}

/** The handle's owner: closes the env on the server, and the connection too when the env opened it. */
class RemoteHandle {
  #isClosed = false;

  constructor(
    readonly connection: RemoteConnection,
    readonly handle: number,
    readonly ownsConnection: boolean,
    readonly who: string,
  ) {}

  assertOpen(): void {
    if (this.#isClosed) throw new RecGymError(ErrorCode.CLOSED, `${this.who}: expected an open env, actual closed`);
  }

  close(): void {
    if (this.#isClosed) return;
    this.#isClosed = true;
    if (this.ownsConnection) {
      this.connection.close();
      return;
    }
    if (!this.connection.isOpen) return;
    const [response] = this.connection.pipeline([{ type: 'close', handle: this.handle }]);
    if (response.type === 'error' && response.code !== ErrorCode.ENV_CLOSED) {
      throw new RecGymError(ErrorCode.CONNECTION, `${this.who}.close: ${response.message}`);
    }
  }
}

/**
 * An env served by `recgym serve`, with the same {@link Env} interface as a local one: spaces
 * rebuilt from the server's description, `reset` / `step` answered over the connection (blocking),
 * the server's error codes (RESET_NEEDED, INVALID_ACTION, ENV_CLOSED, …) thrown as RecGymErrors.
 */
export class RemoteEnv implements Env<unknown, unknown, Record<string, unknown>> {
  readonly actionSpace: Space<unknown>;
  readonly observationSpace: Space<unknown>;
  spec?: EnvSpec;
  readonly #remote: RemoteHandle;

  private constructor(connection: RemoteConnection, envId: string, options: RemoteMakeOptions, ownsConnection: boolean) {
    const made = connection.request({ type: 'make', envId, options: options.options as never, seed: options.seed }, 'made');
    this.#remote = new RemoteHandle(connection, made.handle, ownsConnection, 'RemoteEnv');
    this.actionSpace = spaceFromDescription(made.actionSpace);
    this.observationSpace = spaceFromDescription(made.observationSpace);
    this.spec = { id: made.envId, maxEpisodeSteps: made.maxEpisodeSteps ?? undefined, kwargs: { ...(options.options ?? {}) } };
  }

  /** Makes `envId` on an open connection (several envs may share one). */
  static make(connection: RemoteConnection, envId: string, options: RemoteMakeOptions = {}): RemoteEnv {
    return new RemoteEnv(connection, envId, options, false);
  }

  /** Opens a connection to `url` for this env alone (closing the env closes it). */
  static connect(url: string, envId: string, options: RemoteMakeOptions & RemoteConnectionOptions = {}): RemoteEnv {
    const connection = RemoteConnection.open(url, options);
    try {
      return new RemoteEnv(connection, envId, options, true);
    } catch (error) {
      connection.close();
      throw error;
    }
  }

  /** The server's handle of this env. */
  get handle(): number {
    return this.#remote.handle;
  }

  /** Starts an episode on the server; `seed` re-creates the server env's generator. */
  reset(resetOptions: ResetOptions<Record<string, unknown>> = {}): ResetResult<unknown> {
    const remote = this.#remote;
    remote.assertOpen();
    const { seed, options } = resetOptions;
    const result = remote.connection.request({ type: 'reset', handle: remote.handle, seed, options: options as never }, 'resetResult');
    return { observation: decoded(decodeValue(this.observationSpace, result.observation)), info: result.info };
  }

  /** Steps the server's env; an action outside `actionSpace` throws INVALID_ACTION before anything is sent. */
  step(action: unknown): StepResult<unknown> {
    const remote = this.#remote;
    remote.assertOpen();
    const reason = this.actionSpace.explain(action);
    if (reason !== undefined) throw new RecGymError(ErrorCode.INVALID_ACTION, `RemoteEnv.step: action: ${reason}`);
    const result = remote.connection.request({ type: 'step', handle: remote.handle, action: encodeValue(this.actionSpace, action) }, 'stepResult');
    const observation = decoded(decodeValue(this.observationSpace, result.observation));
    return { observation, reward: result.reward, terminated: result.terminated, truncated: result.truncated, info: result.info };
  }

  close(): void {
    this.#remote.close();
  }
}

/**
 * The vector form of an env served by `recgym serve` ({@link VectorEnv}): `stepVector` steps every
 * slot in one round trip. Batches hold one typed array per observation key, slot after slot.
 */
export class RemoteVectorEnv implements VectorEnv<unknown, unknown, TypedBatch> {
  readonly numEnvs: number;
  readonly singleActionSpace: Space<unknown>;
  readonly singleObservationSpace: Space<unknown>;
  spec?: EnvSpec;
  /** Int32 entries per slot's action (K for a slate, else 1). */
  readonly actionWidth: number;
  readonly #remote: RemoteHandle;

  private constructor(connection: RemoteConnection, envId: string, numEnvs: number, options: RemoteMakeOptions, ownsConnection: boolean) {
    const made = connection.request({ type: 'makeVector', envId, n: numEnvs, options: options.options as never, seed: options.seed }, 'vectorMade');
    this.#remote = new RemoteHandle(connection, made.handle, ownsConnection, 'RemoteVectorEnv');
    this.numEnvs = made.numEnvs;
    this.singleActionSpace = spaceFromDescription(made.singleActionSpace);
    this.singleObservationSpace = spaceFromDescription(made.singleObservationSpace);
    this.actionWidth = this.singleActionSpace instanceof Slate ? this.singleActionSpace.size : 1;
    this.spec = { id: made.envId, maxEpisodeSteps: made.maxEpisodeSteps ?? undefined, kwargs: { ...(options.options ?? {}), numEnvs } };
  }

  /** Makes `numEnvs` slots of `envId` on an open connection. */
  static make(connection: RemoteConnection, envId: string, numEnvs: number, options: RemoteMakeOptions = {}): RemoteVectorEnv {
    return new RemoteVectorEnv(connection, envId, numEnvs, options, false);
  }

  /** Opens a connection to `url` for this vector env alone (closing the env closes it). */
  static connect(url: string, envId: string, numEnvs: number, options: RemoteMakeOptions & RemoteConnectionOptions = {}): RemoteVectorEnv {
    const connection = RemoteConnection.open(url, options);
    try {
      return new RemoteVectorEnv(connection, envId, numEnvs, options, true);
    } catch (error) {
      connection.close();
      throw error;
    }
  }

  get handle(): number {
    return this.#remote.handle;
  }

  reset(options: { readonly seed?: number } = {}): VectorEnvResetResult<TypedBatch> {
    const remote = this.#remote;
    remote.assertOpen();
    const result = remote.connection.request({ type: 'reset', handle: remote.handle, seed: options.seed }, 'vectorResetResult');
    return { observations: this.#batch(result.observations), info: result.info };
  }

  /** Steps every slot; actions must be an Int32Array laid out by `setAction` (else INVALID_ACTION before anything is sent). */
  step(actions: Int32Array): VectorEnvStepResult<TypedBatch> {
    const remote = this.#remote;
    remote.assertOpen();
    const expected = this.numEnvs * this.actionWidth;
    if (!(actions instanceof Int32Array) || actions.length !== expected) {
      const actual = ArrayBuffer.isView(actions) ? `${actions.constructor.name}(${(actions as ArrayLike<number>).length})` : String(actions);
      throw new RecGymError(ErrorCode.INVALID_ACTION, `RemoteVectorEnv.step: expected actions as Int32Array(${expected}), actual ${actual}`);
    }
    const result = remote.connection.request({ type: 'stepVector', handle: remote.handle, actions }, 'vectorStepResult');
    return {
      observations: this.#batch(result.observations),
      rewards: Float32Array.from(result.rewards),
      terminations: Uint8Array.from(result.terminations),
      truncations: Uint8Array.from(result.truncations),
      finalObservations: this.#batch(result.finalObservations),
      info: result.info,
    };
  }

  observationAt(batch: TypedBatch, slot: number): unknown {
    return batchSlot(this.singleObservationSpace, batch, slot);
  }

  createActions(): Int32Array {
    return new Int32Array(this.numEnvs * this.actionWidth);
  }

  setAction(actions: Int32Array, slot: number, action: unknown): void {
    if (this.actionWidth > 1 || ArrayBuffer.isView(action)) actions.set(action as ArrayLike<number>, slot * this.actionWidth);
    else actions[slot] = action as number;
  }

  close(): void {
    this.#remote.close();
  }

  #batch(json: unknown): TypedBatch {
    return decoded(decodeBatch(this.singleObservationSpace, this.numEnvs, json));
  }
}
