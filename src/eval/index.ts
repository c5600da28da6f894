export {
  CASE_KINDS,
  COLD,
  SEEN,
  REPEAT,
  buildTestCases,
  caseMask,
  caseMatches,
  caseShares,
  countCases,
  parseTestStart,
  splitAtTime,
  type CaseCounts,
  type CaseFilter,
  type CaseShares,
  type CatalogueMode,
  type EvalSplit,
  type TestCases,
} from './test-cases.js';
export { MISS, caseMetric, expectedUniform, hitAt, ndcgAt, reciprocalRank, top1, type MetricKind } from './metrics.js';
export { rankInRange, rankInSubset, rankSparse, sortedSubset } from './ranking.js';
export {
  PROTOCOLS,
  drawCandidateSets,
  isProtocolName,
  metricName,
  type CandidateSets,
  type ProtocolName,
  type ProtocolSpec,
} from './protocols.js';
export { Bootstrap, pairedDifference, quantile, type BootstrapOptions, type BootstrapSeries, type Interval } from './bootstrap.js';
export {
  caseValues,
  evaluate,
  metricSeries,
  prepareEvaluation,
  randomExpectation,
  rankCases,
  summarize,
  type AgentResult,
  type AgentSource,
  type DiffResult,
  type EvaluateOptions,
  type EvaluationSetup,
  type RankOptions,
  type SeedResult,
  type SetupOptions,
  type SubsetResult,
} from './evaluate.js';
export { buildReport, caseKindsText, formatReport, reportJson, seedsText, type AgentReport, type EvalReport, type MetricTable, type SeedInterval } from './report.js';
export {
  bestOverSupport,
  greedyChance,
  importanceWeights,
  ipsEstimate,
  ipsSeries,
  meanSeries,
  snipsEstimate,
  snipsSeries,
  type LoggedFeedback,
} from './off-policy.js';
