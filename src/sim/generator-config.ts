import { z } from 'zod';
import { ErrorCode, RecGymError } from '../core/errors.js';
import { SECONDS_PER_DAY } from '../data/event-store.js';
import { MAX_TIME_SECONDS } from '../data/formats/row-parser.js';
import { parseDay } from '../data/split.js';

const DAY_PATTERN = /^\d{4}-\d{2}-\d{2}$/;

/** Options of the synthetic shopper population and its log; every field has a default. */
export const GeneratorConfigSchema = z
  .object({
    /** Seed of every random choice: an integer 0 .. 2^53 - 1, or a non-empty string. */
    seed: z.union([z.number().int().min(0).max(Number.MAX_SAFE_INTEGER), z.string().min(1)]).default(2014),
    /** Number of shoppers. */
    users: z.number().int().min(1).max(50_000_000).default(1500),
    /** Number of days, the last one being the test day. */
    days: z.number().int().min(1).max(3650).default(31),
    /** First day, `YYYY-MM-DD` (UTC). */
    start: z
      .string()
      .refine((text) => {
        try {
          parseDay(text);
          return true;
        } catch {
          return false;
        }
      }, 'expected a date YYYY-MM-DD')
      .default('2014-11-18'),
    /** Size of the item catalogue at the end of the log (including items released on the way). */
    items: z.number().int().min(1).max(100_000_000).default(4000),
    /** Number of item categories. */
    categories: z.number().int().min(1).max(1_000_000).default(80),
    /** Share of the catalogue on sale from the first day; the rest is released evenly over the days. */
    initialCatalogueShare: z.number().min(0).max(1).default(0.6),
    /** Zipf exponent of item popularity within a category (and of category sizes). */
    popularityExponent: z.number().min(0).max(3).default(0.8),
    /** Mean sessions per shopper and day (each shopper's own rate is log-normal around it). */
    sessionsPerUserDay: z.number().positive().max(1000).default(0.6),
    /** Mean number of items a session browses (geometric). */
    itemsPerSession: z.number().min(1).max(1000).default(5),
    /** Chance that the next browse is the previous item again (consecutive re-view). */
    repeatProbability: z.number().min(0).max(1).default(0.2),
    /** Chance that a browse returns to an item from the shopper's recent history. */
    revisitProbability: z.number().min(0).max(1).default(0.2),
    /** Chance that a discovery browse is an item released that day. */
    freshProbability: z.number().min(0).max(1).default(0.4),
    /** Chance that a discovery browse follows the shopper's own category tastes (else global popularity). */
    tasteStrength: z.number().min(0).max(1).default(0.85),
    /** Chance that a click is followed by a favourite. */
    favoriteRate: z.number().min(0).max(1).default(0.032),
    /** Chance that a click is followed by a cart. */
    cartRate: z.number().min(0).max(1).default(0.061),
    /** Chance that a cart is followed by a purchase. */
    purchaseAfterCartRate: z.number().min(0).max(1).default(0.25),
    /** Chance that a click is followed directly by a purchase (no cart). */
    directPurchaseRate: z.number().min(0).max(1).default(0.007),
  })
  .strict()
  .refine((c) => c.repeatProbability + c.revisitProbability <= 1, {
    message: 'expected repeatProbability + revisitProbability <= 1',
  })
  .refine((c) => isStoreableRange(c.start, c.days), {
    message: `expected the days [start, start + days) within [1970-01-01, 2038-01-19) (unix seconds 0 .. ${MAX_TIME_SECONDS}, what the store and the readers hold)`,
    path: ['start'],
  });

/** True when every second of the days [start, start + days) is a unix time the event store holds. */
function isStoreableRange(start: string, days: number): boolean {
  const first = DAY_PATTERN.test(start) ? Date.parse(`${start}T00:00:00Z`) / 1000 / SECONDS_PER_DAY : NaN;
  // A malformed start is reported by its own check (zod runs this refinement anyway).
  if (Number.isNaN(first)) return true;
  return first >= 0 && (first + days) * SECONDS_PER_DAY - 1 <= MAX_TIME_SECONDS;
}

/** A complete, validated generator configuration. */
export type GeneratorConfig = z.infer<typeof GeneratorConfigSchema>;

/** Generator options as given by a caller: any field may be left out. */
export type GeneratorOptions = z.input<typeof GeneratorConfigSchema>;

/** The defaults: about 1,500 shoppers, 31 days from 2014-11-18, 4,000 items, 80 categories. */
export const DEFAULT_GENERATOR_CONFIG: GeneratorConfig = Object.freeze(GeneratorConfigSchema.parse({}));

/** Validates generator options over the defaults; a bad field is a RecGymError naming it. */
export function parseGeneratorConfig(options: GeneratorOptions = {}): GeneratorConfig {
  const result = GeneratorConfigSchema.safeParse(options);
  if (!result.success) {
    const issue = result.error.issues[0];
    const where = issue.path.length > 0 ? issue.path.join('.') : 'generator config';
    throw new RecGymError(ErrorCode.BAD_OPTION, `${where}: ${issue.message}`);
  }
  return result.data;
}
