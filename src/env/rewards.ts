import { z } from 'zod';
import { BEHAVIOR_NAMES, type BehaviorCode } from '../data/behavior.js';

/** A behaviour's reward: a constant, or `min(max, base + perEpoch * trainingEpoch)` (the epoch-scheduled reward). */
export const RewardSpecSchema = z.union([
  z.number().finite(),
  z
    .object({
      base: z.number().finite(),
      perEpoch: z.number().finite().default(0),
      max: z.number().default(Number.POSITIVE_INFINITY),
    })
    .strict(),
]);

/** A behaviour's reward as written in a config. */
export type RewardSpec = z.input<typeof RewardSpecSchema>;

/** Reward per behaviour, paid when the recommendation hits the logged next item. */
export const RewardTableSchema = z
  .object({
    click: RewardSpecSchema,
    favorite: RewardSpecSchema,
    cart: RewardSpecSchema,
    purchase: RewardSpecSchema,
  })
  .strict();

/** A reward table (each behaviour a number or `{ base, perEpoch?, max? }`). */
export type RewardTable = z.input<typeof RewardTableSchema>;

/** The original article's table: click 0.1, favourite 0.3, cart 0.5, purchase `min(1, 0.8 + 0.01 * trainingEpoch)`. */
export const DEFAULT_REWARDS: RewardTable = Object.freeze({
  click: 0.1,
  favorite: 0.3,
  cart: 0.5,
  purchase: Object.freeze({ base: 0.8, perEpoch: 0.01, max: 1 }),
});

/** Validates a reward table (throws a TypeError listing the issues); omitted fields get defaults. */
export function parseRewardTable(value: unknown): RewardTable {
  const parsed = RewardTableSchema.safeParse(value);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ');
    throw new TypeError(`expected a reward table {click, favorite, cart, purchase}, actual issues: ${issues}`);
  }
  return parsed.data;
}

function specValue(spec: RewardSpec, trainingEpoch: number): number {
  if (typeof spec === 'number') return spec;
  // Rounded to 12 decimals so that 0.8 + 0.01 * 10 reads 0.9, not 0.9000000000000001.
  const raw = Math.round((spec.base + (spec.perEpoch ?? 0) * trainingEpoch) * 1e12) / 1e12;
  return Math.min(spec.max ?? Number.POSITIVE_INFINITY, raw);
}

function checkTrainingEpoch(trainingEpoch: number): void {
  if (!(Number.isFinite(trainingEpoch) && trainingEpoch >= 0)) throw new RangeError(`expected trainingEpoch >= 0, actual ${trainingEpoch}`);
}

/** The reward of `behavior` under `table` at training epoch `trainingEpoch` (>= 0). */
export function rewardOf(table: RewardTable, behavior: BehaviorCode, trainingEpoch: number): number {
  checkTrainingEpoch(trainingEpoch);
  const name = BEHAVIOR_NAMES[behavior];
  if (!name) throw new RangeError(`expected a behaviour code 1..4, actual ${behavior}`);
  return specValue(table[name], trainingEpoch);
}

/**
 * The table at one training epoch as a lookup indexed by behaviour code (index 0, no response, is 0),
 * for hot paths: `lookup[response]`. Writes into `out` when given.
 */
export function rewardLookup(table: RewardTable, trainingEpoch: number, out: Float64Array = new Float64Array(5)): Float64Array {
  checkTrainingEpoch(trainingEpoch);
  if (out.length < 5) throw new RangeError(`expected a lookup of length >= 5, actual ${out.length}`);
  out[0] = 0;
  for (let code = 1; code <= 4; code++) out[code] = specValue(table[BEHAVIOR_NAMES[code] as 'click'], trainingEpoch);
  return out;
}

/**
 * Progress a training-epoch schedule sees: episodes started so far, slot-steps taken, and completed
 * passes over the episodes (a pass deals every episode once; see `Dynamics.passes`).
 */
export interface TrainingProgress {
  readonly episodes: number;
  readonly steps: number;
  readonly passes: number;
}

/** Maps progress to the training epoch the rewards are paid at; evaluated whenever an episode starts. */
export type TrainingEpochSchedule = (progress: TrainingProgress) => number;

/** Evaluates a schedule and checks its value. */
export function scheduledTrainingEpoch(schedule: TrainingEpochSchedule, progress: TrainingProgress): number {
  const trainingEpoch = schedule(progress);
  if (!(Number.isFinite(trainingEpoch) && trainingEpoch >= 0)) {
    throw new RangeError(`trainingEpochSchedule: expected a training epoch >= 0, actual ${trainingEpoch}`);
  }
  return trainingEpoch;
}
