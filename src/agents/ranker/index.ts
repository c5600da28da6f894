export { RankerConfigSchema, parseRankerConfig, type RankerConfig, type RankerConfigInput } from './config.js';
export { COLD_SCORE as RANKER_COLD_SCORE, RANKER_FORMAT, RankerAgent, drawSegments } from './ranker-agent.js';
