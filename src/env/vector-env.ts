import type { VectorEnvResetResult, VectorEnvStepResult } from './env.js';
import type { VectorObservation } from './observation.js';
import { createReplayCore } from './replay-dynamics.js';
import { createReplaySetup, type ReplayEnvOptions, type ReplaySetup } from './replay-options.js';
import { checkNumEnvs, VectorCoreEnv } from './vector-core-env.js';

export { validateActionBatch } from './vector-core-env.js';

export type { VectorObservation } from './observation.js';

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
 * The replay MDP as `numEnvs` slots stepped in lock-step on typed arrays, with same-step auto-reset:
 * the N-slot form of the replay core (`ReplayDynamics` behind `MdpCore`), whose one-slot form is
 * {@link RecommendationEnv}. Episodes are dealt to slots in slot order from the dynamics' seeded
 * shuffled order (`passes` counts completed passes over the episodes). Options are those of RecommendationEnv. Nothing is allocated per
 * step; every returned array is reused. With a `trainingEpochSchedule`, the training epoch is
 * re-evaluated whenever a slot starts an episode (slots after it in the same step see the new one).
 */
export class VectorRecommendationEnv extends VectorCoreEnv {
  /** The precomputed split, episodes, catalogue and sampler. */
  readonly setup: ReplaySetup;
  readonly #result: VectorStepResult;

  constructor(options: ReplayEnvOptions & { numEnvs: number }) {
    const { numEnvs, ...rest } = options ?? ({} as never);
    const setup = createReplaySetup(rest, 'VectorRecommendationEnv');
    super(createReplayCore(setup, checkNumEnvs(numEnvs)), setup, 'VectorRecommendationEnv');
    this.setup = setup;
    this.#result = this.resultOverCore({});
  }

  /** Number of episodes in the replayed window. */
  get numEpisodes(): number {
    return this.setup.episodes.count;
  }

  step(actions: Int32Array): VectorStepResult {
    this.advance(actions);
    return this.#result;
  }
}

/** Creates a {@link VectorRecommendationEnv}. */
export function createVectorEnv(options: ReplayEnvOptions & { numEnvs: number }): VectorRecommendationEnv {
  return new VectorRecommendationEnv(options);
}
