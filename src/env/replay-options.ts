import { z } from 'zod';
import { ErrorCode, RecGymError } from '../core/errors.js';
import { buildEpisodes, type Episodes } from '../data/episodes.js';
import { EventStore } from '../data/event-store.js';
import { splitAtTime, splitByDay, type DaySplit, type TimeWindow } from '../data/split.js';
import { CandidateSampler, catalogueOf, itemCounts, sharedSampler } from './candidates.js';
import { createObservationSpace, hoursOf, type ReplayObservationSpace } from './observation.js';
import { DEFAULT_REWARDS, RewardTableSchema, type RewardTable, type TrainingEpochSchedule } from './rewards.js';
import { Discrete } from './spaces/discrete.js';
import { Slate } from './spaces/slate.js';
import { describeValue } from './spaces/space.js';

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
    /** Seed of the env's Rng until `reset({ seed })` (default 0): an integer 0 .. 2^53 - 1. */
    seed: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER).optional(),
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

/** Issues a parse error shows at most; the rest are counted. */
const MAX_SHOWN_ISSUES = 3;

/**
 * Parses options with zod; a bad option throws RangeError (out of range) or TypeError naming the
 * field. Messages stay short: values are described (`EventStore`, `Array(5)`), never serialised.
 */
export function parseReplayOptions(raw: unknown, who: string): ResolvedReplayEnvOptions {
  return parseEnvOptions(ReplayEnvOptionsSchema, raw, who);
}

/**
 * Parses an env's options with its zod schema; a bad option throws RangeError (out of range) or
 * TypeError naming the field, short however large the values (described, never serialised).
 */
export function parseEnvOptions<S extends z.ZodObject>(schema: S, raw: unknown, who: string): z.output<S> {
  if (raw !== undefined && (raw === null || typeof raw !== 'object' || Array.isArray(raw))) {
    throw new TypeError(`${who} options: expected an object, actual ${describeValue(raw)}`);
  }
  const optionNames = Object.keys(schema.shape);
  const parsed = schema.safeParse(raw ?? {});
  if (parsed.success) return parsed.data;
  const issues = parsed.error.issues;
  const shown = issues.slice(0, MAX_SHOWN_ISSUES).map((issue) => {
    if (issue.code === 'unrecognized_keys') {
      return `unknown option${issue.keys.length > 1 ? 's' : ''} ${issue.keys.slice(0, MAX_SHOWN_ISSUES).map((k) => describeValue(k)).join(', ')}: expected ${optionNames.join(', ')}`;
    }
    const path = issue.path.map(String).join('.') || '(options)';
    const actual = issue.path.reduce<unknown>((v, k) => (v && typeof v === 'object' ? (v as Record<PropertyKey, unknown>)[k] : undefined), raw);
    return `${path}: ${issue.message} (actual ${describe(actual)})`;
  });
  const more = issues.length > MAX_SHOWN_ISSUES ? `; and ${issues.length - MAX_SHOWN_ISSUES} more` : '';
  const isRange = issues.every((i) => i.code === 'too_small' || i.code === 'too_big');
  const message = `${who} options: ${shown.join('; ')}${more}`;
  throw isRange ? new RangeError(message) : new TypeError(message);
}


function describe(value: unknown): string {
  if (value instanceof EventStore) return 'EventStore';
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return describeValue(value);
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
  const { catalogue, sampler, actionSpace, observationSpace } = createActionSetup(store, split.train, options, who);
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

/** Options both the replay and the simulated envs read to build their catalogue, sampler and spaces. */
export type ActionOptions = Pick<ResolvedReplayEnvOptions, 'catalogue' | 'mode' | 'numCandidates' | 'slateSize' | 'negatives' | 'historyLength'>;

/**
 * The catalogue (items of the training window, or all), the candidate sampler (candidates mode;
 * popularity weights from the training window) and the action and observation spaces; a catalogue
 * smaller than a candidate set or a slate throws BAD_OPTION.
 */
export function createActionSetup(
  store: EventStore,
  train: TimeWindow,
  options: ActionOptions,
  who: string,
): { catalogue: Int32Array; sampler: CandidateSampler | undefined; actionSpace: Discrete | Slate; observationSpace: ReplayObservationSpace } {
  const catalogue = catalogueOf(store, options.catalogue === 'train' ? train : undefined);
  const needed = options.mode === 'candidates' ? options.numCandidates : options.slateSize;
  if (catalogue.length < needed) {
    throw new RecGymError(
      ErrorCode.BAD_OPTION,
      `${who}: expected a '${options.catalogue}' catalogue of at least ${needed} items (${options.mode === 'candidates' ? 'numCandidates' : 'slateSize'}), actual ${catalogue.length}`,
    );
  }
  let sampler: CandidateSampler | undefined;
  if (options.mode === 'candidates') {
    const key = `${options.catalogue} catalogue, train ${train.start}..${train.end}, ${options.negatives} negatives, C = ${options.numCandidates}`;
    sampler = sharedSampler(store, key, () => {
      let weights: Float64Array | undefined;
      if (options.negatives === 'popularity') {
        const counts = itemCounts(store, train);
        weights = new Float64Array(catalogue.length);
        let total = 0;
        for (let i = 0; i < catalogue.length; i++) total += weights[i] = counts[catalogue[i]];
        if (total === 0) weights.fill(1);
      }
      return new CandidateSampler({ catalogue, numCandidates: options.numCandidates, negatives: options.negatives, weights });
    });
  }
  const observationSpace = createObservationSpace({
    numItems: store.numItems,
    numCategories: store.numCategories,
    historyLength: options.historyLength,
    numCandidates: options.mode === 'candidates' ? options.numCandidates : undefined,
  });
  const actionSpace = options.mode === 'candidates' ? new Discrete(options.numCandidates) : new Slate({ size: options.slateSize, items: catalogue });
  return { catalogue, sampler, actionSpace, observationSpace };
}
