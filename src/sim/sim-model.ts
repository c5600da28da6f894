import { z } from 'zod';
import { ErrorCode, RecGymError } from '../core/errors.js';

const rate = z.number().min(0).max(1);
const count = z.number().min(0);
const counts = z.array(count);
const rates = z.array(rate);

/** The funnel after a click: favourite, cart, purchase after a cart, purchase without one. */
export const FunnelRatesSchema = z
  .object({
    /** P(favourite | click). */
    favorite: rate,
    /** P(cart | click). */
    cart: rate,
    /** P(purchase | click, cart). */
    purchaseAfterCart: rate,
    /** P(purchase | click, no cart). */
    directPurchase: rate,
  })
  .strict();

/** The same rates per category (arrays of length numCategories). */
const FunnelByCategorySchema = z.object({ favorite: rates, cart: rates, purchaseAfterCart: rates, directPurchase: rates }).strict();

/**
 * How the shopper responds beyond what the log can tell (UserBehavior has no impressions): the
 * presets change these; `docs/simulator.md` gives the equations.
 */
export const BehaviourParamsSchema = z
  .object({
    /** β: utility per nat of affinity above the logged next items' mean. */
    choiceSharpness: z.number().min(0).max(20),
    /** Utility of a shown item the user has already seen in their recent history. */
    repeatBonus: z.number().min(-20).max(20),
    /** Utility lost per slate position (position k gets −k · positionDecay). */
    positionDecay: z.number().min(0).max(10),
    /** Boredom added to a category per click on one of its items. */
    boredomPerClick: z.number().min(0).max(20),
    /** Boredom added to a category per purchase in it (satiation). */
    satiationPerPurchase: z.number().min(0).max(50),
    /** Factor boredom keeps per step. */
    boredomDecay: z.number().min(0).max(1),
    /** Utility lost per unit of boredom. */
    boredomWeight: z.number().min(0).max(20),
    /** Utility lost by an item the user bought in this session. */
    boughtPenalty: z.number().min(0).max(50),
    /** Patience lost per step, times the chance the shown items had of being chosen subtracted from 1. */
    patienceCost: z.number().min(0).max(1),
    /** Patience regained when the user chooses a shown item. */
    patienceRefund: z.number().min(0).max(1),
    /** η: the favourite, cart and direct-purchase rates are multiplied by exp(η · (affinity − mean)), clipped to [1/4, 4] and divided by its mean over the logged clicks. */
    funnelAffinitySlope: z.number().min(0).max(5),
    /** Change of the return-next-day log-odds per unit of session satisfaction above 1/2. */
    returnSlope: z.number().min(0).max(20),
    /** Patience lost per unit of boredom of a shown item's category (mean over the shown items), before the step's own click adds to it: more of what the shopper just had tires them. 0 (models saved before it existed) = off. */
    boredomPatienceCost: z.number().min(0).max(1).default(0),
    /** Factor on the fitted per-step chance of ending a session (1 / mean clicks per session); below 1, patience decides more of when a session ends. */
    leaveScale: z.number().min(0).max(1).default(1),
  })
  .strict();

/**
 * A user simulator fitted to a log (`fitSimulator`): JSON-serialisable, tied to the dense ids of the
 * store it was fitted on. Counts are of the training window.
 */
export const SimModelSchema = z
  .object({
    format: z.literal('recgym-sim'),
    /** 2: `session.meanClickGapSeconds` (version 1 had `meanEventGapSeconds`, the mean gap between any two events, which counted funnel gaps twice). */
    version: z.literal(2),
    /** Preset applied (`default` for the fit as it is). */
    preset: z.string(),
    /** The store the ids refer to: its sizes and a checksum of its raw item and category ids. */
    store: z.object({ numUsers: z.number().int().min(1), numItems: z.number().int().min(1), numCategories: z.number().int().min(1), idChecksum: z.number().int() }).strict(),
    /** The training window fitted (unix seconds, [start, end)). */
    trainWindow: z.object({ start: z.number().int(), end: z.number().int() }).strict(),
    /** Events fitted. */
    events: z.number().int().min(1),
    /** Events per item (length numItems); the fitted support is the items with a count > 0. */
    itemCounts: counts,
    /** Events per category (length numCategories). */
    categoryCounts: counts,
    /** Category → next-click category counts (the most frequent few per category), as parallel arrays. */
    transitions: z.object({ from: z.array(z.number().int().min(0)), to: z.array(z.number().int().min(0)), count: z.array(z.number().positive()) }).strict(),
    /** α: weight of the user's own taste against the category transition in an organic browse. */
    tasteMix: rate,
    /** κ: pseudo-events of the global category mix in each user's taste. */
    tasteSmoothing: z.number().positive(),
    /** Each user's most frequent categories and their event counts (CSR: user u at start[u] .. start[u + 1] - 1; totals = the sum of a user's kept counts). */
    users: z.object({ start: z.array(z.number().int().min(0)), categories: z.array(z.number().int().min(0)), counts: counts, totals: counts }).strict(),
    /** Mean over logged clicks of the clicked item's affinity (the reference of the choice model). */
    meanAffinity: z.number(),
    /** The 5th, 15th, …, 95th percentiles of the logged clicks' affinities (the funnel factor is normalised over them). */
    affinityQuantiles: z.array(z.number()).length(10),
    /** Share of clicks on the previous click's item, and on another item of the user's recent history. */
    repeat: z.object({ repeat: rate, revisit: rate }).strict(),
    funnel: z.object({ global: FunnelRatesSchema, byCategory: FunnelByCategorySchema }).strict(),
    /** Share of session starts per UTC hour (24 values summing to 1). */
    hourProfile: z.array(rate).length(24),
    session: z
      .object({
        /** A pause longer than this (seconds) starts a new session. */
        gapSeconds: z.number().positive(),
        /** Mean clicks per session. */
        meanClicks: z.number().min(1),
        /** Mean seconds from an event to the next click of the same session (the gap before a click; funnel gaps are drawn apart). */
        meanClickGapSeconds: z.number().min(0),
        /** Sessions per user and day. */
        sessionsPerUserDay: z.number().min(0),
        /** Share of sessions followed by another session of the same user on the next calendar day. */
        returnRate: rate,
      })
      .strict(),
    behaviour: BehaviourParamsSchema,
  })
  .strict();

/** A fitted simulator. */
export type SimModel = z.infer<typeof SimModelSchema>;
export type FunnelRates = z.infer<typeof FunnelRatesSchema>;
export type BehaviourParams = z.infer<typeof BehaviourParamsSchema>;

/** Validates a parsed JSON value as a {@link SimModel}; `where` names its source in the error (BAD_OPTION naming the field). */
export function parseSimModel(value: unknown, where: string): SimModel {
  const parsed = SimModelSchema.safeParse(value);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const path = issue.path.length > 0 ? issue.path.map((k) => (typeof k === 'number' ? `[${k}]` : `.${String(k)}`)).join('').replace(/^\./, '') : '(model)';
    const actual = issue.path.reduce<unknown>((v, k) => (v !== null && typeof v === 'object' ? (v as Record<PropertyKey, unknown>)[k] : undefined), value);
    throw new RecGymError(ErrorCode.BAD_OPTION, `${where}: ${path}: ${issue.message} (actual ${describeValue(actual)})`);
  }
  const model = parsed.data;
  const { numUsers, numItems, numCategories } = model.store;
  const lengths: [string, number, number][] = [
    ['itemCounts', model.itemCounts.length, numItems],
    ['categoryCounts', model.categoryCounts.length, numCategories],
    ['users.start', model.users.start.length, numUsers + 1],
    ['users.totals', model.users.totals.length, numUsers],
    ['funnel.byCategory.favorite', model.funnel.byCategory.favorite.length, numCategories],
    ['funnel.byCategory.cart', model.funnel.byCategory.cart.length, numCategories],
    ['funnel.byCategory.purchaseAfterCart', model.funnel.byCategory.purchaseAfterCart.length, numCategories],
    ['funnel.byCategory.directPurchase', model.funnel.byCategory.directPurchase.length, numCategories],
  ];
  for (const [field, actual, expected] of lengths) {
    if (actual !== expected) throw new RecGymError(ErrorCode.BAD_OPTION, `${where}: ${field}: expected ${expected} values, actual ${actual}`);
  }
  const { start, categories, counts: userCounts } = model.users;
  if (categories.length !== userCounts.length || start[numUsers] !== categories.length) {
    throw new RecGymError(ErrorCode.BAD_OPTION, `${where}: users: expected start[${numUsers}] = categories.length = counts.length, actual ${start[numUsers]}, ${categories.length}, ${userCounts.length}`);
  }
  for (let u = 0; u < numUsers; u++) {
    if (start[u] > start[u + 1]) throw new RecGymError(ErrorCode.BAD_OPTION, `${where}: users.start: expected non-decreasing offsets, actual ${start[u]} then ${start[u + 1]} at user ${u}`);
  }
  const { from, to, count: transitionCounts } = model.transitions;
  if (from.length !== to.length || from.length !== transitionCounts.length) {
    throw new RecGymError(ErrorCode.BAD_OPTION, `${where}: transitions: expected from, to and count of equal length, actual ${from.length}, ${to.length}, ${transitionCounts.length}`);
  }
  const outOfRange = (values: number[], limit: number) => values.findIndex((v) => v >= limit);
  for (const [field, values] of [['users.categories', categories], ['transitions.from', from], ['transitions.to', to]] as const) {
    const bad = outOfRange(values, numCategories);
    if (bad >= 0) throw new RecGymError(ErrorCode.BAD_OPTION, `${where}: ${field}[${bad}]: expected a category id < ${numCategories}, actual ${values[bad]}`);
  }
  if (!model.itemCounts.some((c) => c > 0)) throw new RecGymError(ErrorCode.BAD_OPTION, `${where}: itemCounts: expected at least one item with events, actual none`);
  if (!model.categoryCounts.some((c) => c > 0)) throw new RecGymError(ErrorCode.BAD_OPTION, `${where}: categoryCounts: expected at least one category with events, actual none`);
  return model;
}

function describeValue(value: unknown): string {
  if (Array.isArray(value)) return `an array of ${value.length}`;
  if (value !== null && typeof value === 'object') return 'an object';
  return value === undefined ? 'nothing' : JSON.stringify(value);
}
