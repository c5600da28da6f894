export { act, argmaxRows, checkBatch, type Agent, type SparseScores, type StateBatch } from './agent.js';
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
export { AGENTS, agentSpec, fitAgent, type AgentOptions, type AgentSpec } from './registry.js';
export * from './dqn/index.js';
