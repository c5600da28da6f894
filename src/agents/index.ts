export { act, argmaxRows, checkBatch, StateBatch, withName, type Agent, type SparseScores } from './agent.js';
export type { EpochStats, TrainableAgent, TrainHooks } from './trainable.js';
export { ArrayAdam, type AdamOptions } from './adam.js';
export { softmaxCrossEntropyRows } from './softmax.js';
export { RandomAgent } from './random-agent.js';
export {
  PopularityAgent,
  POPULARITY_WEIGHTS,
  computePopularity,
  popularityTieBreak,
  type PopularityOptions,
} from './popularity-agent.js';
export { RecentAgent } from './recent-agent.js';
export { CooccurrenceAgent, COOCCURRENCE_WEIGHTS, countTransitions, type TransitionCounts } from './cooccurrence-agent.js';
export { AGENTS, LEARNERS, agentSpec, fitAgent, learnerSpec, type AgentOptions, type AgentSpec, type LearnerName, type LearnerSpec } from './registry.js';
export * from './features/index.js';
export * from './ranker/index.js';
export * from './dqn/index.js';
