import { assertSeed, createRng } from '../core/rng.js';
import type { EventStore } from '../data/event-store.js';
import { DEFAULT_REWARDS, rewardLookup, type RewardTable } from '../env/rewards.js';
import type { Agent, SparseScores } from '../agents/agent.js';
import type { TimeWindow } from '../data/split.js';
import { Bootstrap, pairedDifference, type BootstrapSeries, type Interval } from './bootstrap.js';
import { MISS, caseMetric, expectedUniform, type MetricKind } from './metrics.js';
import { PROTOCOLS, drawCandidateSets, metricName, type CandidateSets, type ProtocolName, type ProtocolSpec } from './protocols.js';
import { rankInRange, rankInSubset, rankSparse, sortedSubset } from './ranking.js';
import { CASE_KINDS, COLD, buildTestCases, caseMask, countCases, type CaseCounts, type CaseFilter, type TestCases } from './test-cases.js';

/** Everything drawn once per (data, protocol, seed) and shared by every agent. */
export interface EvaluationSetup {
  readonly store: EventStore;
  readonly cases: TestCases;
  readonly protocol: ProtocolSpec;
  readonly k: number;
  readonly seed: number;
  /** Candidate sets (`seed` and `sampled`); undefined for `full`. */
  readonly candidates: CandidateSets | undefined;
  /** One uniform draw per case in [0, 1) that breaks the positive's ties (the same for every agent). */
  readonly tieDraws: Float64Array;
  /** Reward of each case's positive at epoch 0 (paid in the `seed` protocol when ranked first). */
  readonly rewards: Float64Array;
}

/** Options of {@link prepareEvaluation}. */
export interface SetupOptions {
  /** Cut-off K (default: the protocol's, 4 / 10 / 20); in `seed` / `sampled` at most the number of candidates. */
  readonly k?: number;
  /** Seed of candidate sets and tie-breaks (default 0). */
  readonly seed?: number;
  /** Reward table for `rewardPerUser` (default: the env's `DEFAULT_REWARDS`, read at epoch 0). */
  readonly rewards?: RewardTable;
}

/**
 * Draws the candidate sets (stream `"<seed>:candidates:<protocol>"`) and the per-case tie draws
 * (stream `"<seed>:ties"`) for all cases.
 */
export function prepareEvaluation(store: EventStore, cases: TestCases, protocolName: ProtocolName, options: SetupOptions = {}): EvaluationSetup {
  const protocol = PROTOCOLS[protocolName];
  if (!protocol) throw new RangeError(`expected protocol seed, sampled or full, actual ${String(protocolName)}`);
  const k = options.k ?? protocol.defaultK;
  const maxK = protocol.numCandidates > 0 ? protocol.numCandidates : Number.MAX_SAFE_INTEGER;
  if (!(Number.isInteger(k) && k >= 1 && k <= maxK)) throw new RangeError(`expected 1 <= k <= ${maxK}, actual ${k}`);
  const seed = options.seed ?? 0;
  const candidates =
    protocol.numCandidates > 0 ? drawCandidateSets(cases, protocol.numCandidates, createRng(`${seed}:candidates:${protocol.name}`)) : undefined;
  const tieRng = createRng(`${seed}:ties`);
  const tieDraws = new Float64Array(cases.count);
  for (let i = 0; i < cases.count; i++) tieDraws[i] = tieRng.next();
  const lookup = rewardLookup(options.rewards ?? DEFAULT_REWARDS, 0);
  const rewards = Float64Array.from(cases.behaviors, (b) => lookup[b]);
  return { store, cases, protocol, k, seed, candidates, tieDraws, rewards };
}

/** Default scores per `scoreItems` call in `full` (a few MB, so that a batch stays in cache). */
export const FULL_BATCH_SCORES = 1 << 19;

/** Options of {@link rankCases}. */
export interface RankOptions {
  /** States per agent call (default: 1024 for candidate sets; FULL_BATCH_SCORES / numItems for `full`). */
  readonly batchSize?: number;
  /** Called after each batch with the cases done and the total. */
  readonly onProgress?: (done: number, total: number) => void;
  /** Rank dense `scoreItems` rows even when the agent offers `scoreItemsSparse` (same ranks; for benchmarks and tests). */
  readonly dense?: boolean;
}

/**
 * 0-based rank of every case's positive under `agent` (MISS for a cold positive in `full`, which is
 * not scored). Cases stream through the agent in batches; `full` ranks each row over the catalogue on
 * typed arrays (count of scores above the positive + the tie draw), never sorting it.
 */
export async function rankCases(agent: Agent, setup: EvaluationSetup, options: RankOptions = {}): Promise<Int32Array> {
  const { cases, store, tieDraws, candidates } = setup;
  const ranks = new Int32Array(cases.count).fill(MISS);
  const progress = options.onProgress;
  if (candidates) {
    const c = candidates.numCandidates;
    const batchSize = options.batchSize ?? 1024;
    const scores = new Float64Array(batchSize * c);
    for (let from = 0; from < cases.count; from += batchSize) {
      const to = Math.min(cases.count, from + batchSize);
      const batch = cases.states.subarray(from, to);
      const out = scores.subarray(0, (to - from) * c);
      out.fill(NaN);
      await agent.scoreCandidates(batch, candidates.items.subarray(from * c, to * c), c, out);
      for (let i = from; i < to; i++) {
        const offset = (i - from) * c;
        ranks[i] = rankInRange(out, offset, c, out[offset + candidates.positiveIndex[i]], tieDraws[i]);
      }
      progress?.(to, cases.count);
    }
    return ranks;
  }
  const numItems = store.numItems;
  const warm: number[] = [];
  for (let i = 0; i < cases.count; i++) if (!(cases.flags[i] & COLD)) warm.push(i);
  if (agent.scoreItemsSparse && !options.dense) {
    await rankSparseCases(agent, setup, Int32Array.from(warm), ranks, options);
    return ranks;
  }
  const batchSize = options.batchSize ?? Math.max(1, Math.min(1024, Math.floor(FULL_BATCH_SCORES / Math.max(1, numItems))));
  const scores = new Float64Array(batchSize * numItems);
  const catalogue = cases.catalogue;
  // A catalogue of consecutive ids (e.g. the whole store, or the training items of a time-sorted log) ranks without a gather.
  const first = catalogue.length > 0 ? catalogue[0] : 0;
  const isRange = catalogue.length === 0 || catalogue[catalogue.length - 1] - first === catalogue.length - 1;
  for (let from = 0; from < warm.length; from += batchSize) {
    const to = Math.min(warm.length, from + batchSize);
    const n = to - from;
    const out = scores.subarray(0, n * numItems);
    await agent.scoreItems(cases.states.select(warm.slice(from, to)), out);
    for (let j = 0; j < n; j++) {
      const i = warm[from + j];
      const offset = j * numItems;
      const positive = out[offset + cases.items[i]];
      ranks[i] = isRange
        ? rankInRange(out, offset + first, catalogue.length, positive, tieDraws[i])
        : rankInSubset(out, offset, catalogue, positive, tieDraws[i]);
    }
    progress?.(to, warm.length);
  }
  if (warm.length === 0) progress?.(0, 0);
  return ranks;
}

/** The `full` protocol through `scoreItemsSparse`: one sorted copy of the catalogue's base scores per distinct base. */
async function rankSparseCases(agent: Agent, setup: EvaluationSetup, warm: Int32Array, ranks: Int32Array, options: RankOptions): Promise<void> {
  const { cases, store, tieDraws } = setup;
  const batchSize = options.batchSize ?? 1024;
  const sortedOf = new Map<Float64Array, Float64Array>();
  for (let from = 0; from < warm.length; from += batchSize) {
    const to = Math.min(warm.length, from + batchSize);
    const states = cases.states.select(warm.subarray(from, to));
    const sparse: SparseScores = await (agent.scoreItemsSparse as NonNullable<Agent['scoreItemsSparse']>)(states);
    const { base, start, items, scores } = sparse;
    if (base.length !== store.numItems) {
      throw new RangeError(`expected ${agent.name}'s sparse base of length ${store.numItems}, actual ${base.length}`);
    }
    let sorted = sortedOf.get(base);
    if (!sorted) {
      sorted = sortedSubset(base, cases.catalogue.length === store.numItems ? undefined : cases.catalogue);
      sortedOf.set(base, sorted);
    }
    for (let j = 0; j < states.size; j++) {
      const i = warm[from + j];
      const positive = cases.items[i];
      let score = base[positive];
      for (let q = start[j]; q < start[j + 1]; q++) {
        if (items[q] === positive) {
          score = scores[q];
          break;
        }
      }
      ranks[i] = rankSparse(sorted, base, cases.inCatalogue, items, scores, start[j], start[j + 1], score, tieDraws[i]);
    }
    options.onProgress?.(to, warm.length);
  }
}

/** Per-case values of a metric from ranks. */
export function caseValues(setup: EvaluationSetup, ranks: Int32Array, kind: MetricKind): Float64Array {
  const out = new Float64Array(ranks.length);
  for (let i = 0; i < ranks.length; i++) out[i] = caseMetric(kind, ranks[i], setup.k, setup.rewards[i]);
  return out;
}

/** Bootstrap series of a metric over the cases with `mask[i] === 1`: case-weighted, or per user for `reward`. */
export function metricSeries(setup: EvaluationSetup, values: Float64Array, kind: MetricKind, mask: Uint8Array): BootstrapSeries {
  const { cases } = setup;
  const sums = new Float64Array(cases.numUsers);
  const weights = new Float64Array(cases.numUsers);
  for (let i = 0; i < cases.count; i++) {
    if (!mask[i]) continue;
    const u = cases.userIndex[i];
    sums[u] += values[i];
    if (kind === 'reward') weights[u] = 1;
    else weights[u] += 1;
  }
  return { sums, weights };
}

/** Exact expected value of each metric for an agent ranking uniformly at random, over the masked cases. */
export function randomExpectation(setup: EvaluationSetup, mask: Uint8Array): Record<string, number> {
  const { cases, protocol, k } = setup;
  const n = protocol.numCandidates > 0 ? protocol.numCandidates : cases.catalogue.length;
  const out: Record<string, number> = {};
  for (const kind of protocol.metrics) {
    const perCase = kind === 'reward' ? 1 / n : expectedUniform(kind, n, k);
    let rewardSum = 0;
    let scored = 0;
    let count = 0;
    const users = new Set<number>();
    for (let i = 0; i < cases.count; i++) {
      if (!mask[i]) continue;
      count++;
      users.add(cases.userIndex[i]);
      if (protocol.numCandidates === 0 && cases.flags[i] & COLD) continue;
      scored++;
      rewardSum += setup.rewards[i];
    }
    const value = kind === 'reward' ? (perCase * rewardSum) / users.size : (perCase * scored) / count;
    out[metricName(kind, k)] = count > 0 ? value : NaN;
  }
  return out;
}

/** Metrics of one subset of cases. */
export interface SubsetResult {
  readonly cases: number;
  readonly metrics: Record<string, Interval>;
}

/** Paired difference of an agent to the baseline. */
export interface DiffResult {
  readonly baseline: string;
  readonly metrics: Record<string, Interval>;
  readonly bySubset: Record<string, Record<string, Interval>>;
}

/** One agent's results under one seed. */
export interface AgentResult {
  readonly agent: string;
  readonly metrics: Record<string, Interval>;
  readonly bySubset: Record<string, SubsetResult>;
  readonly diff?: DiffResult;
}

/** The result of one seed. */
export interface SeedResult {
  readonly seed: number;
  readonly protocol: ProtocolName;
  readonly k: number;
  readonly filter: CaseFilter;
  /** Counts over all test cases (whatever the filter). */
  readonly cases: CaseCounts;
  /** Counts over the filtered cases. */
  readonly evaluated: CaseCounts;
  readonly randomExpected: Record<string, number>;
  readonly agents: AgentResult[];
}

/**
 * Summarises ranks (agent name -> ranks from {@link rankCases}) with percentile-bootstrap CIs over
 * test users (same resamples for every agent, seed `bootstrapSeed`), on the filtered cases and on each
 * kind (`all`, cold, warm, seen, repeat, discovery), with paired differences to `baseline` if given.
 */
export function summarize(
  setup: EvaluationSetup,
  ranks: ReadonlyMap<string, Int32Array>,
  options: { filter?: CaseFilter; baseline?: string; resamples?: number; bootstrapSeed?: number | string } = {},
): SeedResult {
  const { cases, protocol, k } = setup;
  const filter = options.filter ?? 'all';
  const baseline = options.baseline;
  if (baseline !== undefined && !ranks.has(baseline)) throw new RangeError(`expected ranks of the baseline "${baseline}"`);
  const subsets: Array<[string, Uint8Array]> = [
    ['all', caseMask(cases, 'all')],
    ...CASE_KINDS.map((kind) => [kind, caseMask(cases, kind)] as [string, Uint8Array]),
  ];
  const filterMask = caseMask(cases, filter);
  // With no filter, the filtered cases are the `all` subset: its series serve both.
  const masks: Array<[string, Uint8Array]> = filter === 'all' ? subsets : [['filter', filterMask], ...subsets];
  const subsetOffset = filter === 'all' ? 0 : 1;
  const names = protocol.metrics.map((kind) => metricName(kind, k));
  const seriesOf = new Map<string, BootstrapSeries[]>();
  for (const [agent, agentRanks] of ranks) {
    const list: BootstrapSeries[] = [];
    for (const kind of protocol.metrics) {
      const values = caseValues(setup, agentRanks, kind);
      for (const [, mask] of masks) list.push(metricSeries(setup, values, kind, mask));
    }
    seriesOf.set(agent, list);
  }
  const all: BootstrapSeries[] = [];
  const agents = [...ranks.keys()];
  for (const agent of agents) all.push(...(seriesOf.get(agent) as BootstrapSeries[]));
  const diffAgents = baseline === undefined ? [] : agents.filter((a) => a !== baseline);
  for (const agent of diffAgents) {
    const a = seriesOf.get(agent) as BootstrapSeries[];
    const b = seriesOf.get(baseline as string) as BootstrapSeries[];
    all.push(...a.map((s, i) => pairedDifference(s, b[i])));
  }
  const bootstrap = new Bootstrap(cases.numUsers, { resamples: options.resamples ?? 1000, seed: options.bootstrapSeed ?? setup.seed });
  const intervals = bootstrap.intervals(all);
  const perAgent = masks.length * names.length;
  const read = (block: number, metric: number, mask: number): Interval => intervals[block * perAgent + metric * masks.length + mask];
  const unpack = (block: number) => {
    const metrics: Record<string, Interval> = {};
    const bySubset: Record<string, Record<string, Interval>> = {};
    names.forEach((name, m) => {
      metrics[name] = read(block, m, 0);
      subsets.forEach(([subset], s) => {
        (bySubset[subset] ??= {})[name] = read(block, m, s + subsetOffset);
      });
    });
    return { metrics, bySubset };
  };
  const results: AgentResult[] = agents.map((agent, a) => {
    const { metrics, bySubset } = unpack(a);
    const withCounts: Record<string, SubsetResult> = {};
    subsets.forEach(([subset, mask]) => {
      withCounts[subset] = { cases: countCases(cases, mask).total, metrics: bySubset[subset] };
    });
    const d = diffAgents.indexOf(agent);
    if (d < 0) return { agent, metrics, bySubset: withCounts };
    const diff = unpack(agents.length + d);
    return { agent, metrics, bySubset: withCounts, diff: { baseline: baseline as string, ...diff } };
  });
  return {
    seed: setup.seed,
    protocol: protocol.name,
    k,
    filter,
    cases: countCases(cases),
    evaluated: countCases(cases, filterMask),
    randomExpected: randomExpectation(setup, filterMask),
    agents: results,
  };
}

/**
 * An agent to judge: one fitted already (judged as it is under every seed), or a function that hands
 * over the agent fitted for a seed (called once per seed, right before that agent's ranking pass).
 */
export type AgentSource = Agent | ((seed: number) => Agent | Promise<Agent>);

/** Options of {@link evaluate}. */
export interface EvaluateOptions {
  readonly store: EventStore;
  readonly split: { readonly train: TimeWindow; readonly test: TimeWindow };
  readonly protocol: ProtocolName;
  /** The agents to judge (`fittedPerSeed` in src/run fits a registered one by name). */
  readonly agents: ReadonlyArray<AgentSource>;
  readonly baseline?: string;
  readonly catalogue?: 'train' | 'all';
  readonly filter?: CaseFilter;
  readonly k?: number;
  /** One run per seed (default [0]): new candidate sets, tie draws, agent seeds and resamples. */
  readonly seeds?: readonly number[];
  readonly resamples?: number;
  readonly batchSize?: number;
  /** Progress of each agent's ranking pass. */
  readonly onProgress?: (label: string, done: number, total: number) => void;
  /** Reused test cases (else built from store, split and catalogue). */
  readonly cases?: TestCases;
  /** Called per seed with the setup and every agent's ranks (e.g. to pair them with other baselines via {@link summarize}). */
  readonly onRanks?: (setup: EvaluationSetup, ranks: ReadonlyMap<string, Int32Array>) => void;
}

/**
 * Evaluates agents on shared test cases: for each seed, draws the protocol's candidate sets and tie
 * draws once, takes each agent (a per-seed one for that seed), ranks every case and summarises with
 * bootstrap CIs.
 */
export async function evaluate(options: EvaluateOptions): Promise<SeedResult[]> {
  const { store } = options;
  const cases = options.cases ?? buildTestCases(store, options.split, { catalogue: options.catalogue ?? 'train' });
  const seeds = options.seeds ?? [0];
  for (const seed of seeds) assertSeed(seed, 'evaluate seeds');
  const runs: SeedResult[] = [];
  for (const seed of seeds) {
    const setup = prepareEvaluation(store, cases, options.protocol, { k: options.k, seed });
    const ranks = new Map<string, Int32Array>();
    for (const source of options.agents) {
      const agent = typeof source === 'function' ? await source(seed) : source;
      if (ranks.has(agent.name)) throw new RangeError(`expected distinct agent names, actual "${agent.name}" twice`);
      const onProgress = options.onProgress;
      ranks.set(
        agent.name,
        await rankCases(agent, setup, {
          batchSize: options.batchSize,
          onProgress: onProgress && ((done, total) => onProgress(`${agent.name} seed ${seed}`, done, total)),
        }),
      );
    }
    options.onRanks?.(setup, ranks);
    runs.push(summarize(setup, ranks, { filter: options.filter, baseline: options.baseline, resamples: options.resamples }));
  }
  return runs;
}
