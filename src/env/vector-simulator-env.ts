import { createSimCore, type SimDynamics } from './sim-dynamics.js';
import { createSimSetup, type SimEnvOptions, type SimSetup } from './sim-options.js';
import { checkNumEnvs, VectorCoreEnv } from './vector-core-env.js';
import type { VectorStepInfo, VectorStepResult } from './vector-env.js';

/** Per-slot diagnostics of a simulated vector step: those of the replay vector env (target = the click in the session log) and the simulator's. */
export interface VectorSimStepInfo extends VectorStepInfo {
  /** Index of the chosen shown item in each slot's action, -1 where the shopper browsed on their own. */
  readonly chosen: Int32Array;
  /** 1 where the action showed an item outside the fitted support (no training events). */
  readonly outsideSupport: Uint8Array;
  /** The deepest behaviour (1 click .. 4 purchase) on the item each shopper acted on, recommended or browsed on their own. */
  readonly depths: Uint8Array;
  /** Each slot's patience after the step. */
  readonly patience: Float64Array;
  /** Chance of a session the next day, valid where the shopper left (terminations). */
  readonly returnChances: Float64Array;
}

/** What `VectorSimulatorEnv.step` returns; every array is overwritten by the next call. */
export interface VectorSimStepResult extends VectorStepResult {
  readonly info: VectorSimStepInfo;
}

/**
 * The user simulator as `numEnvs` slots stepped in lock-step with same-step auto-reset: the N-slot
 * form of the simulated core (`SimDynamics` behind `MdpCore`), whose one-slot form is
 * {@link SimulatorEnv}; spaces, batches and results are those of {@link VectorRecommendationEnv}.
 */
export class VectorSimulatorEnv extends VectorCoreEnv {
  readonly setup: SimSetup;
  readonly #result: VectorSimStepResult;

  constructor(options: SimEnvOptions & { numEnvs: number }) {
    const { numEnvs, ...rest } = options ?? ({} as never);
    const setup = createSimSetup(rest, 'VectorSimulatorEnv');
    super(createSimCore(setup, checkNumEnvs(numEnvs)), setup, 'VectorSimulatorEnv');
    this.setup = setup;
    const dynamics = this.core.dynamics as SimDynamics;
    const { chosen, depths, patience, returnChances } = dynamics.sessions;
    this.#result = this.resultOverCore({ chosen, depths, outsideSupport: dynamics.outsideSupport, patience, returnChances });
  }

  /**
   * The simulator behind the observations: each slot's shopper (`sessions`: boredom, patience,
   * utilities, the organic item) and candidates. Privileged — reference policies read it
   * (`src/eval/simulator-oracles.ts`); an agent that does is not learning from observations.
   */
  get dynamics(): SimDynamics {
    return this.core.dynamics as SimDynamics;
  }

  /** Number of shoppers an episode can be. */
  get numEpisodes(): number {
    return this.setup.shoppers.shoppers.length;
  }

  step(actions: Int32Array): VectorSimStepResult {
    this.advance(actions);
    return this.#result;
  }
}
