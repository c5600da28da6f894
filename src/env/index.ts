export type { AnyEnv, AnyVectorEnv, Env, EnvSpec, Info, ResetOptions, ResetResult, StepResult, VectorEnv, VectorEnvResetResult, VectorEnvStepResult } from './env.js';
export { Wrapper } from './env.js';
export type { Space, SpaceValue } from './spaces/space.js';
export { Discrete } from './spaces/discrete.js';
export { Box, type BoxDtype, type BoxArrays } from './spaces/box.js';
export { Dict } from './spaces/dict.js';
export { Slate } from './spaces/slate.js';
export {
  DEFAULT_REWARDS,
  RewardSpecSchema,
  RewardTableSchema,
  parseRewardTable,
  rewardLookup,
  rewardOf,
  scheduledTrainingEpoch,
  type RewardSpec,
  type RewardTable,
  type TrainingEpochSchedule,
  type TrainingProgress,
} from './rewards.js';
export {
  CandidateSampler,
  buildAliasTables,
  catalogueOf,
  itemCounts,
  type CatalogueKind,
  type NegativeSampling,
} from './candidates.js';
export {
  createObservation,
  createObservationSpace,
  createVectorObservation,
  hoursOf,
  observationAt,
  writeHistory,
  type ReplayObservation,
  type ReplayObservationSpace,
} from './observation.js';
export {
  ReplayEnvOptionsSchema,
  createReplaySetup,
  parseReplayOptions,
  type ReplayEnvOptions,
  type ReplaySetup,
  type ResolvedReplayEnvOptions,
} from './replay-options.js';
export { MdpCore, type Dynamics, type DynamicsStep, type MdpCoreOptions } from './mdp-core.js';
export { CoreEnv } from './core-env.js';
export { VectorCoreEnv, checkNumEnvs } from './vector-core-env.js';
export { EpisodeOrder, SeededEpisodes } from './episode-order.js';
export { SimEnvOptionsSchema, createSimSetup, fittedSimulator, type ResolvedSimEnvOptions, type SimEnvOptions, type SimSetup } from './sim-options.js';
export { SimDynamics, createSimCore } from './sim-dynamics.js';
export { SimulatorEnv, type SimResetInfo, type SimResetOptions, type SimStepInfo } from './simulator-env.js';
export { VectorSimulatorEnv, type VectorSimStepInfo, type VectorSimStepResult } from './vector-simulator-env.js';
export { ReplayCoreEnv, ReplayDynamics, createReplayCore } from './replay-dynamics.js';
export {
  RecommendationEnv,
  createRecommendationEnv,
  type LoggedEvent,
  type ReplayAction,
  type ReplayResetInfo,
  type ReplayResetOptions,
  type ReplayStepInfo,
} from './recommendation-env.js';
export {
  VectorRecommendationEnv,
  createVectorEnv,
  validateActionBatch,
  type VectorObservation,
  type VectorResetResult,
  type VectorStepInfo,
  type VectorStepResult,
} from './vector-env.js';
export { TimeLimit } from './wrappers/time-limit.js';
export { OrderEnforcing, ResetNeededError } from './wrappers/order-enforcing.js';
export { RecordEpisodeStatistics, type EpisodeStats } from './wrappers/record-episode-stats.js';
export {
  defaultEventStore,
  envSpec,
  listEnvs,
  makeEnv,
  makeVectorEnv,
  registerEnv,
  type EnvRegistration,
  type MakeEnvOptions,
} from './registry.js';
export {
  assertEnv,
  checkEnv,
  checkVectorEnv,
  firstDifference,
  isVectorEnv,
  type CheckEnvOptions,
  type EnvCheck,
  type EnvCheckReport,
} from './check-env.js';
