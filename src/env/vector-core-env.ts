import { ErrorCode, RecGymError } from '../core/errors.js';
import { assertSeed } from '../core/rng.js';
import { CoreEnv } from './core-env.js';
import type { EnvSpec, VectorEnv, VectorEnvResetResult, VectorEnvStepResult } from './env.js';
import type { MdpCore } from './mdp-core.js';
import { observationAt, type ReplayObservation, type ReplayObservationSpace, type VectorObservation } from './observation.js';
import type { ReplayAction } from './recommendation-env.js';
import { Slate } from './spaces/slate.js';
import type { Discrete } from './spaces/discrete.js';
import type { Space } from './spaces/space.js';

/** Per-slot diagnostics of a vector step. */
export interface VectorStepInfo {
  /** Store position of the logged event each slot's action was judged against. */
  readonly targetPositions: Int32Array;
  /** Index of that event's item in the candidates (slate: in the action), -1 when absent. */
  readonly positiveIndices: Int32Array;
  /** Episode index each slot was in when it acted. */
  readonly episodes: Int32Array;
  /** Return and length of the episode that just ended (valid where terminated or truncated). */
  readonly episodeReturns: Float64Array;
  readonly episodeLengths: Int32Array;
}

/**
 * What `VectorRecommendationEnv.step` returns. All arrays are preallocated and OVERWRITTEN by the
 * next `step` or `reset`: copy what you keep.
 */
export interface VectorStepResult extends VectorEnvStepResult<VectorObservation> {
  /** Next observations; a finished slot already shows its new episode's first observation (same-step auto-reset). */
  readonly observations: VectorObservation;
  readonly rewards: Float32Array;
  readonly terminations: Uint8Array;
  readonly truncations: Uint8Array;
  /** 1 where the action hit the logged event. */
  readonly hits: Uint8Array;
  /** The item each slot's user acted on this step (the logged next event's item): what a learner may learn from without reading the log. */
  readonly nextItems: Int32Array;
  /** The last observation of each finished episode, valid only where terminations | truncations: bootstrap from it through truncation. */
  readonly finalObservations: VectorObservation;
  readonly info: VectorStepInfo;
}

/** What `VectorRecommendationEnv.reset` returns (buffers overwritten by later calls). */
export interface VectorResetResult extends VectorEnvResetResult<VectorObservation> {
  readonly observations: VectorObservation;
  readonly info: { readonly episodes: Int32Array; readonly numEpisodes: number; readonly passes: number };
}

/**
 * The vector form of an env over an {@link MdpCore} (replay or simulated): `numEnvs` slots in
 * lock-step with same-step auto-reset, reset, action validation, the batch reads and the arrays of
 * a step's result the core owns. Subclasses build the core and add their own `info` fields.
 */
export abstract class VectorCoreEnv extends CoreEnv implements VectorEnv<ReplayObservation, ReplayAction, VectorObservation> {
  readonly numEnvs: number;
  readonly singleActionSpace: Space<ReplayAction>;
  readonly singleObservationSpace: ReplayObservationSpace;
  spec?: EnvSpec;
  readonly historyLength: number;
  /** C in candidates mode, 0 in slate mode. */
  readonly numCandidates: number;
  /** K in slate mode, 0 in candidates mode. */
  readonly slateSize: number;
  readonly #who: string;
  readonly #slate: Slate | undefined;
  readonly #resetEpisodes: Int32Array;
  #isReady = false;

  protected constructor(core: MdpCore, spaces: { actionSpace: Discrete | Slate; observationSpace: ReplayObservationSpace }, who: string) {
    super(core, who);
    this.#who = who;
    this.numEnvs = core.numSlots;
    this.singleActionSpace = spaces.actionSpace as Space<ReplayAction>;
    this.singleObservationSpace = spaces.observationSpace;
    this.#slate = spaces.actionSpace instanceof Slate ? spaces.actionSpace : undefined;
    this.historyLength = core.dynamics.historyLength;
    this.numCandidates = core.dynamics.numCandidates;
    this.slateSize = core.dynamics.slateSize;
    this.#resetEpisodes = new Int32Array(core.numSlots);
  }

  /** Number of episodes the slots are dealt from. */
  abstract get numEpisodes(): number;

  /**
   * Starts a fresh episode in every slot, dealt in slot order. A `seed` re-creates the Rng and
   * restarts the shuffled episode order (passes back to 0); no seed continues the current order.
   */
  reset(resetOptions: { seed?: number } = {}): VectorResetResult {
    this.assertOpen();
    const core = this.core;
    if (resetOptions.seed !== undefined) {
      assertSeed(resetOptions.seed, `${this.#who}.reset seed`);
      core.dynamics.seed(resetOptions.seed);
    }
    core.startAll(this.#resetEpisodes);
    this.#isReady = true;
    return { observations: core.observations, info: { episodes: this.#resetEpisodes, numEpisodes: this.numEpisodes, passes: this.passes } };
  }

  /**
   * Steps every slot with its action: `actions[i]` a candidate index (candidates mode), or
   * `actions[i * K .. (i + 1) * K)` a slate of distinct catalogue items (slate mode). Finished slots
   * auto-reset in the same step. The result's arrays are overwritten by the next call.
   */
  abstract step(actions: Int32Array): VectorStepResult;

  /** Checks the env is open and reset and the actions valid, then steps the core with auto-reset. */
  protected advance(actions: Int32Array): void {
    this.assertOpen();
    if (!this.#isReady) throw new RecGymError(ErrorCode.RESET_NEEDED, `${this.#who}.step: expected reset() before the first step, actual step() on a fresh env`);
    validateActionBatch(actions, this, this.#slate, this.#who);
    this.core.step(actions, true);
  }

  /** A step result over the core's arrays, with `info` = the core's fields and `extraInfo`. */
  protected resultOverCore<I extends object>(extraInfo: I): VectorStepResult & { readonly info: VectorStepInfo & I } {
    const core = this.core;
    return {
      observations: core.observations,
      rewards: core.rewards,
      terminations: core.outcome.terminations,
      truncations: core.outcome.truncations,
      hits: core.hits,
      nextItems: core.outcome.nextItems,
      finalObservations: core.finalObservations,
      info: {
        targetPositions: core.outcome.targetPositions,
        positiveIndices: core.outcome.positiveIndices,
        episodes: core.actedEpisodes,
        episodeReturns: core.episodeReturns,
        episodeLengths: core.episodeLengths,
        ...extraInfo,
      },
    };
  }

  observationAt(batch: VectorObservation, slot: number): ReplayObservation {
    return observationAt(batch, slot, this.historyLength, this.numCandidates);
  }

  createActions(): Int32Array {
    return new Int32Array(this.numEnvs * (this.slateSize > 0 ? this.slateSize : 1));
  }

  setAction(actions: Int32Array, slot: number, action: ReplayAction): void {
    if (this.slateSize > 0) actions.set(action as Int32Array, slot * this.slateSize);
    else actions[slot] = action as number;
  }
}

/** Throws RangeError unless `numEnvs` is an integer >= 1. */
export function checkNumEnvs(numEnvs: number): number {
  if (!Number.isInteger(numEnvs) || numEnvs < 1) throw new RangeError(`expected numEnvs to be an integer >= 1, actual ${numEnvs}`);
  return numEnvs;
}

/**
 * Throws INVALID_ACTION unless `actions` is an Int32Array batch of the env's shape: a candidate
 * index in [0, C) per slot, or per slot K distinct items the slate space allows (`who` names the env).
 */
export function validateActionBatch(
  actions: Int32Array,
  shape: { readonly numEnvs: number; readonly numCandidates: number; readonly slateSize: number },
  slate: Slate | undefined,
  who: string,
): void {
  const { numEnvs, slateSize: K } = shape;
  const expectedLength = K > 0 ? numEnvs * K : numEnvs;
  if (!(actions instanceof Int32Array) || actions.length !== expectedLength) {
    const actual = actions instanceof Int32Array ? `Int32Array(${actions.length})` : String((actions as object)?.constructor?.name ?? actions);
    throw new RecGymError(ErrorCode.INVALID_ACTION, `${who}.step: expected actions as Int32Array(${expectedLength})${K > 0 ? ` (numEnvs * slateSize)` : ''}, actual ${actual}`);
  }
  if (K === 0) {
    const C = shape.numCandidates;
    for (let i = 0; i < numEnvs; i++) {
      const a = actions[i];
      if (a < 0 || a >= C) throw new RecGymError(ErrorCode.INVALID_ACTION, `${who}.step: actions[${i}]: expected a candidate index in [0, ${C - 1}], actual ${a}`);
    }
    return;
  }
  for (let i = 0; i < numEnvs; i++) {
    for (let k = 0, base = i * K; k < K; k++) {
      const item = actions[base + k];
      if (!(slate as Slate).isAllowed(item)) throw new RecGymError(ErrorCode.INVALID_ACTION, `${who}.step: slot ${i} slate[${k}]: expected a catalogue item index, actual ${item}`);
      for (let j = base; j < base + k; j++) {
        if (actions[j] === item) throw new RecGymError(ErrorCode.INVALID_ACTION, `${who}.step: slot ${i}: expected distinct item indices, actual ${item} twice`);
      }
    }
  }
}

