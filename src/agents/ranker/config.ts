import { z } from 'zod';
import { parseConfig } from '../parse-config.js';

/** Every ranker option with its default. */
export const RankerConfigSchema = z
  .object({
    /** Training epochs; validation picks among them (`recgym train`, `recgym compare`). */
    epochs: z.number().int().min(1).default(2),
    /** Training transitions per epoch, in multiples of the training window's transitions (gradient steps = passes · transitions / batchSize). */
    passesPerEpoch: z.number().int().min(1).default(4),
    /** Transitions per gradient step. */
    batchSize: z.number().int().min(1).default(256),
    /** A batch is drawn as runs of up to this many consecutive transitions of one user from uniform random starts (1 = independent transitions), so a user's other next items are in-batch negatives of its states. */
    segmentLength: z.number().int().min(1).default(16),
    /** Adam learning rate of the feature weights. */
    learningRate: z.number().positive().default(0.02),
    /** Clip the gradient norm of the feature weights to this (0 = off). */
    maxGradNorm: z.number().min(0).default(10),
    /** Uniform negatives from the training catalogue, shared by the batch (in-batch next items are negatives too). */
    uniformNegatives: z.number().int().min(0).default(128),
    /** Per state, its most recently touched items as negatives (needs historyFeatures), so the user's own items are ranked against each other. */
    historyNegatives: z.number().int().min(0).default(4),
    /** Per state, items that followed its last items on earlier days as negatives (needs contextFeatures). */
    transitionNegatives: z.number().int().min(0).default(4),
    /** Per state, items from the categories of its latest events as negatives (needs contextFeatures). */
    categoryNegatives: z.number().int().min(0).default(0),
    /** The history features of (state, item): touched, count, recency, strongest behaviour, previous item, recency rank. */
    historyFeatures: z.boolean().default(true),
    /** The context features of (state, item): popularity before the state's day, category match and taste, category popularity, dated transitions. */
    contextFeatures: z.boolean().default(true),
    /** Day by day (needs contextFeatures): a training state's softmax ranks only items seen before its day, as the test day ranks the training catalogue. */
    dayByDay: z.boolean().default(true),
    /** Length of the period popularity and transitions count by, and of each validation period: a day by default; shorter (e.g. 15) for logs of a few hours. */
    periodMinutes: z.number().int().min(1).max(10_080).default(1440),
    /** Latest events of the user whose categories make the recent-category share. */
    contextRecentEvents: z.number().int().min(1).default(10),
    /** Latest events of the user whose categories make the longer-lived taste. */
    contextTasteEvents: z.number().int().min(1).default(100),
    /** Events of the user's history scanned for the history features. */
    historyScanLimit: z.number().int().min(1).default(1000),
  })
  .strict();

/** Ranker options as passed in (all optional). */
export type RankerConfigInput = z.input<typeof RankerConfigSchema>;

/** Ranker options after defaults. */
export type RankerConfig = z.output<typeof RankerConfigSchema>;

/** Parses a config; a bad field throws TypeError naming it ("expected …, actual …"). */
export function parseRankerConfig(raw: unknown): RankerConfig {
  const config = parseConfig(RankerConfigSchema, 'ranker config', raw);
  if (!config.historyFeatures && !config.contextFeatures) {
    throw new TypeError('ranker config: expected historyFeatures or contextFeatures, actual neither (nothing to rank by)');
  }
  return config;
}
