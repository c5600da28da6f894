import { createReplayCore } from './replay-dynamics.js';
import { createReplaySetup, type ReplayEnvOptions, type ReplaySetup } from './replay-options.js';
import { checkNumEnvs, VectorCoreEnv, type VectorStepResult } from './vector-core-env.js';

export { validateActionBatch } from './vector-core-env.js';
export type { VectorResetResult, VectorStepInfo, VectorStepResult } from './vector-core-env.js';

export type { VectorObservation } from './observation.js';

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
