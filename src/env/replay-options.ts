import { z } from 'zod';
import { ErrorCode, RecGymError } from '../core/errors.js';
import { buildEpisodes, type Episodes } from '../data/episodes.js';
import { EventStore } from '../data/event-store.js';
import { splitAtTime, splitByDay, type DaySplit, type TimeWindow } from '../data/split.js';
import { CandidateSampler, catalogueOf, itemCounts } from './candidates.js';
import { createObservationSpace, hoursOf, type ReplayObservationSpace } from './observation.js';
import { DEFAULT_REWARDS, RewardTableSchema, type RewardTable, type TrainingEpochSchedule } from './rewards.js';
import { Discrete } from './spaces/discrete.js';
import { Slate } from './spaces/slate.js';

/** Options of the replay envs (single and vector). */
export const ReplayEnvOptionsSchema = z
  .object({
    /** The logged events. */
    store: z.instanceof(EventStore),
    /** Which window is replayed: the days before the test day, or the test day. */
    split: z.enum(['train', 'test']).default('train'),
    /** Test day (`YYYY-MM-DD` or UTC day number); default the last day with events. */
    testDay: z.union([z.string(), z.number().int()]).optional(),
    /** Unix seconds where the training window ends and the test window starts, instead of `testDay` (for windows that do not end at midnight). */
    trainEnd: z.number().int().optional(),
    /** `candidates`: pick one of C items; `slate`: recommend K catalogue items. */
    mode: z.enum(['candidates', 'slate']).default('candidates'),
    /** C: candidates per step, the positive plus C - 1 negatives. */
    numCandidates: z.number().int().min(1).default(20),
    /** K: items per slate. */
    slateSize: z.number().int().min(1).default(10),
    /** L: events of history in the observation. */
    historyLength: z.number().int().min(1).default(10),
    /** How negatives are drawn. */
    negatives: z.enum(['uniform', 'popularity']).default('uniform'),
    /** Items negatives and slates are drawn from. */
    catalogue: z.enum(['train', 'all']).default('train'),
    /** Reward per behaviour. */
    rewards: RewardTableSchema.default(DEFAULT_REWARDS as z.output<typeof RewardTableSchema>),
    /** Training epoch the rewards are paid at (the purchase reward schedule) until `setTrainingEpoch` or the schedule changes it. */
    trainingEpoch: z.number().min(0).default(0),
    /** Computes the training epoch from progress at each episode start. */
    trainingEpochSchedule: z.custom<TrainingEpochSchedule>((v) => typeof v === 'function', 'expected a function').optional(),
    /** Truncate episodes after this many steps. */
    maxEpisodeSteps: z.number().int().min(1).optional(),
    /** An inactivity gap longer than this (seconds) splits a user's events into episodes. */
    gapSeconds: z.number().positive().optional(),
    /** Events with fewer earlier events of the same user are not steps. */
    minHistory: z.number().int().min(0).default(1),
    /** Seed of the env's Rng until `reset({ seed })` (default 0). */
    seed: z.union([z.number().int(), z.string()]).optional(),
  })
  .strict();

/** Options of the replay envs as passed in (defaults applied by the env). */
export type ReplayEnvOptions = z.input<typeof ReplayEnvOptionsSchema>;

/** Options after defaults. */
export type ResolvedReplayEnvOptions = z.output<typeof ReplayEnvOptionsSchema>;

/** Everything both replay envs precompute from their options. */
export interface ReplaySetup {
  readonly options: ResolvedReplayEnvOptions;
  readonly store: EventStore;
  readonly split: DaySplit;
  /** The replayed window (train or test). */
  readonly window: TimeWindow;
  readonly episodes: Episodes;
  readonly catalogue: Int32Array;
  readonly hours: Int8Array;
  /** Candidates mode only. */
  readonly sampler: CandidateSampler | undefined;
  readonly actionSpace: Discrete | Slate;
  readonly observationSpace: ReplayObservationSpace;
  readonly rewards: RewardTable;
}

/** Parses options with zod; a bad option throws RangeError (out of range) or TypeError naming the field. */
export function parseReplayOptions(raw: unknown, who: string): ResolvedReplayEnvOptions {
  const parsed = ReplayEnvOptionsSchema.safeParse(raw ?? {});
  if (parsed.success) return parsed.data;
  const issues = parsed.error.issues;
  const text = issues
    .map((issue) => {
      const path = issue.path.join('.') || '(options)';
      const actual = issue.path.reduce<unknown>((v, k) => (v && typeof v === 'object' ? (v as Record<PropertyKey, unknown>)[k] : undefined), raw);
      return `${path}: ${issue.message} (actual ${describe(actual)})`;
    })
    .join('; ');
  const isRange = issues.every((i) => i.code === 'too_small' || i.code === 'too_big');
  const message = `${who} options: ${text}`;
  throw isRange ? new RangeError(message) : new TypeError(message);
}

function describe(value: unknown): string {
  if (value instanceof EventStore) return 'EventStore';
  if (typeof value === 'function') return 'function';
  if (value === undefined) return 'undefined';
  try {
    return JSON.stringify(value, (_key, inner) => (inner instanceof EventStore ? 'EventStore' : inner)) ?? String(value);
  } catch {
    return String(value);
  }
}

/** Validates options and precomputes split, episodes, catalogue, sampler and spaces. */
export function createReplaySetup(raw: unknown, who: string): ReplaySetup {
  const options = parseReplayOptions(raw, who);
  const { store } = options;
  if (store.length === 0) throw new RecGymError(ErrorCode.NO_EVENTS, `${who}: the event store is empty`);
  if (options.trainEnd !== undefined && options.testDay !== undefined) {
    throw new RecGymError(ErrorCode.BAD_OPTION, `${who}: expected testDay or trainEnd, actual both`);
  }
  const split = options.trainEnd !== undefined ? splitAtTime(store, options.trainEnd) : splitByDay(store, options.testDay);
  const window = options.split === 'train' ? split.train : split.test;
  const episodes = buildEpisodes(store, { window, gapSeconds: options.gapSeconds, minHistory: options.minHistory });
  if (episodes.count === 0) {
    throw new RecGymError(
      ErrorCode.NO_EVENTS,
      `${who}: expected at least one episode in the ${options.split} window, actual 0 (events in the window whose user has >= ${options.minHistory} earlier events)`,
    );
  }
  const catalogue = catalogueOf(store, options.catalogue === 'train' ? split.train : undefined);
  const needed = options.mode === 'candidates' ? options.numCandidates : options.slateSize;
  if (catalogue.length < needed) {
    throw new RecGymError(
      ErrorCode.BAD_OPTION,
      `${who}: expected a '${options.catalogue}' catalogue of at least ${needed} items (${options.mode === 'candidates' ? 'numCandidates' : 'slateSize'}), actual ${catalogue.length}`,
    );
  }
  let sampler: CandidateSampler | undefined;
  if (options.mode === 'candidates') {
    let weights: Float64Array | undefined;
    if (options.negatives === 'popularity') {
      const counts = itemCounts(store, split.train);
      weights = new Float64Array(catalogue.length);
      let total = 0;
      for (let i = 0; i < catalogue.length; i++) total += weights[i] = counts[catalogue[i]];
      if (total === 0) weights.fill(1);
    }
    sampler = new CandidateSampler({ catalogue, numCandidates: options.numCandidates, negatives: options.negatives, weights });
  }
  const observationSpace = createObservationSpace({
    numItems: store.numItems,
    numCategories: store.numCategories,
    historyLength: options.historyLength,
    numCandidates: options.mode === 'candidates' ? options.numCandidates : undefined,
  });
  const actionSpace = options.mode === 'candidates' ? new Discrete(options.numCandidates) : new Slate({ size: options.slateSize, items: catalogue });
  return {
    options,
    store,
    split,
    window,
    episodes,
    catalogue,
    hours: hoursOf(store),
    sampler,
    actionSpace,
    observationSpace,
    rewards: options.rewards,
  };
}
