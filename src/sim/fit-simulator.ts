import { ErrorCode, RecGymError } from '../core/errors.js';
import { Behavior } from '../data/behavior.js';
import { SECONDS_PER_DAY, type EventStore } from '../data/event-store.js';
import type { TimeWindow } from '../data/split.js';
import { DEFAULT_BEHAVIOUR } from './presets.js';
import type { FunnelRates, SimModel } from './sim-model.js';
import { itemAffinity, itemLogShare } from './taste.js';

/** Options of {@link fitSimulator}; every field has a default. */
export interface FitOptions {
  /** A pause longer than this (seconds) starts a new session (default 1,800). */
  readonly sessionGapSeconds?: number;
  /** Categories kept per user (default 16). */
  readonly userCategories?: number;
  /** Next categories kept per category (default 16). */
  readonly transitionsPerCategory?: number;
  /** κ: pseudo-events of the global category mix in each user's taste (default 5). */
  readonly tasteSmoothing?: number;
  /** Pseudo-clicks of the global funnel rates in each category's (default 20). */
  readonly funnelSmoothing?: number;
}

const TASTE_MIX_GRID = [0.05, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 0.95];

/**
 * Fits the user simulator to the events of `store` inside `trainWindow`, in a few passes over the
 * columns: item and category counts, each user's top categories (the factorised taste: user →
 * category → item by popularity), category transitions between consecutive clicks and the taste mix
 * α that best explains them, repeat and revisit shares, funnel rates per category (shrunk towards
 * the global ones), the hour profile of session starts, session length, gaps and next-day returns.
 * The behaviour parameters the log cannot tell are the defaults ({@link DEFAULT_BEHAVIOUR}).
 * Throws NO_EVENTS when the window holds no click.
 */
export function fitSimulator(store: EventStore, trainWindow: TimeWindow, options: FitOptions = {}): SimModel {
  const gapSeconds = options.sessionGapSeconds ?? 1800;
  const userTop = options.userCategories ?? 16;
  const transitionTop = options.transitionsPerCategory ?? 16;
  const tasteSmoothing = options.tasteSmoothing ?? 5;
  const funnelSmoothing = options.funnelSmoothing ?? 20;
  const { numUsers, numItems, numCategories, userOffsets, items, categories, behaviors, times } = store;
  const inWindow = (p: number) => times[p] >= trainWindow.start && times[p] < trainWindow.end;

  const itemCounts = new Float64Array(numItems);
  const categoryCounts = new Float64Array(numCategories);
  const userCategoryCounts = new Float64Array(numCategories);
  const userStart = [0];
  const userCategories: number[] = [];
  const userCountsKept: number[] = [];
  const userTotals = new Float64Array(numUsers);
  const clicks = new Float64Array(numCategories);
  const favorites = new Float64Array(numCategories);
  const carts = new Float64Array(numCategories);
  const afterCart = new Float64Array(numCategories);
  const direct = new Float64Array(numCategories);
  const cartedBy = new Int32Array(numItems).fill(-1);
  const lastSeenBy = new Int32Array(numItems).fill(-1);
  const hourStarts = new Float64Array(24);
  const transitionCounts = new Map<number, number>();
  // Click transitions between different items that are neither repeat nor revisit: (user, from, to category).
  const moves: number[] = [];
  let events = 0;
  let sessions = 0;
  let clickTotal = 0;
  let repeats = 0;
  let revisits = 0;
  let followedClicks = 0;
  // Gaps that end at a click of the same session: from a step's last event to the next click, what the simulator draws.
  let clickGapSum = 0;
  let clickGapCount = 0;
  let returnable = 0;
  let returned = 0;
  let activeUsers = 0;

  for (let u = 0; u < numUsers; u++) {
    const from = userOffsets[u];
    const to = userOffsets[u + 1];
    let first = from;
    while (first < to && !inWindow(first)) first++;
    let end = first;
    while (end < to && inWindow(end)) end++;
    const touched: number[] = [];
    let previousClick = -1;
    let sessionEnd = -1;
    for (let p = first; p < end; p++) {
      const item = items[p];
      const category = categories[p];
      const time = times[p];
      events++;
      itemCounts[item]++;
      categoryCounts[category]++;
      if (userCategoryCounts[category]++ === 0) touched.push(category);
      const isNewSession = p === first || time - times[p - 1] > gapSeconds;
      if (isNewSession) {
        if (p > first) {
          returnable += sessionEnd + SECONDS_PER_DAY < trainWindow.end ? 1 : 0;
          returned += sessionEnd + SECONDS_PER_DAY < trainWindow.end && time - sessionEnd <= SECONDS_PER_DAY ? 1 : 0;
        }
        sessions++;
        hourStarts[((Math.floor(time / 3600) % 24) + 24) % 24]++;
        previousClick = -1;
      }
      sessionEnd = time;
      const behavior = behaviors[p];
      if (!isNewSession && behavior === Behavior.click) {
        clickGapSum += time - times[p - 1];
        clickGapCount++;
      }
      if (behavior === Behavior.click) {
        clickTotal++;
        clicks[category]++;
        if (previousClick >= 0) {
          followedClicks++;
          const previousItem = items[previousClick];
          if (previousItem === item) repeats++;
          else if (lastSeenBy[item] === u) revisits++;
          else {
            const key = categories[previousClick] * numCategories + category;
            transitionCounts.set(key, (transitionCounts.get(key) ?? 0) + 1);
            moves.push(u, categories[previousClick], category);
          }
        }
        previousClick = p;
        // A purchase counts as after a cart when the cart came after the item's latest click (the funnel of one click).
        cartedBy[item] = -1;
      } else if (behavior === Behavior.favorite) {
        favorites[category]++;
      } else if (behavior === Behavior.cart) {
        carts[category]++;
        cartedBy[item] = u;
      } else if (behavior === Behavior.purchase) {
        if (cartedBy[item] === u) afterCart[category]++;
        else direct[category]++;
      }
      lastSeenBy[item] = u;
    }
    if (end > first) {
      activeUsers++;
      returnable += sessionEnd + SECONDS_PER_DAY < trainWindow.end ? 1 : 0;
    }
    touched.sort((a, b) => userCategoryCounts[b] - userCategoryCounts[a] || a - b);
    for (let k = 0; k < Math.min(userTop, touched.length); k++) {
      userCategories.push(touched[k]);
      userCountsKept.push(userCategoryCounts[touched[k]]);
      userTotals[u] += userCategoryCounts[touched[k]];
    }
    for (const c of touched) userCategoryCounts[c] = 0;
    userStart.push(userCategories.length);
  }
  if (clickTotal === 0) {
    throw new RecGymError(ErrorCode.NO_EVENTS, `fitSimulator: expected clicks in the training window, actual ${events} events and no click`);
  }

  const transitions = topTransitions(transitionCounts, numCategories, transitionTop);
  const global = funnelRates(sum(clicks), sum(favorites), sum(carts), sum(afterCart), sum(direct));
  const byCategory = { favorite: [] as number[], cart: [] as number[], purchaseAfterCart: [] as number[], directPurchase: [] as number[] };
  for (let c = 0; c < numCategories; c++) {
    const m = funnelSmoothing;
    const n = clicks[c];
    byCategory.favorite.push((favorites[c] + m * global.favorite) / (n + m));
    byCategory.cart.push(Math.min(1, (carts[c] + m * global.cart) / (n + m)));
    byCategory.purchaseAfterCart.push(Math.min(1, (afterCart[c] + m * global.purchaseAfterCart) / (carts[c] + m)));
    byCategory.directPurchase.push(Math.min(1, (direct[c] + m * global.directPurchase) / (Math.max(0, n - carts[c]) + m)));
  }
  const days = Math.max(1, Math.ceil((trainWindow.end - Math.max(trainWindow.start, store.minTime)) / SECONDS_PER_DAY));
  const hourTotal = sum(hourStarts);
  const users = { start: userStart, categories: userCategories, counts: userCountsKept, totals: Array.from(userTotals) };
  const taste = { users, categoryCounts: Array.from(categoryCounts), tasteSmoothing, events };
  const tasteMix = fitTasteMix(moves, taste, transitions, numCategories);
  const affinities = new Float64Array(clickTotal);
  let affinitySum = 0;
  for (let u = 0, k = 0; u < numUsers; u++) {
    for (let p = userOffsets[u]; p < userOffsets[u + 1]; p++) {
      if (behaviors[p] !== Behavior.click || !inWindow(p)) continue;
      affinitySum += affinities[k++] = itemAffinity(taste, u, categories[p], itemLogShare(itemCounts[items[p]], categoryCounts[categories[p]]));
    }
  }
  affinities.sort();

  return {
    format: 'recgym-sim',
    version: 2,
    preset: 'default',
    store: { numUsers, numItems, numCategories, idChecksum: storeIdChecksum(store) },
    trainWindow: { start: trainWindow.start, end: trainWindow.end },
    events,
    itemCounts: Array.from(itemCounts),
    categoryCounts: Array.from(categoryCounts),
    transitions,
    tasteMix,
    tasteSmoothing,
    users,
    meanAffinity: affinitySum / clickTotal,
    affinityQuantiles: Array.from({ length: 10 }, (_, q) => affinities[Math.min(clickTotal - 1, Math.floor(((q + 0.5) / 10) * clickTotal))]),
    repeat: { repeat: followedClicks > 0 ? repeats / followedClicks : 0, revisit: followedClicks > 0 ? revisits / followedClicks : 0 },
    funnel: { global, byCategory },
    hourProfile: Array.from(hourStarts, (n) => n / hourTotal),
    session: {
      gapSeconds,
      meanClicks: Math.max(1, clickTotal / sessions),
      meanClickGapSeconds: clickGapCount > 0 ? clickGapSum / clickGapCount : 0,
      sessionsPerUserDay: sessions / (Math.max(1, activeUsers) * days),
      returnRate: returnable > 0 ? returned / returnable : 0,
    },
    behaviour: { ...DEFAULT_BEHAVIOUR },
  };
}

/** A checksum of the store's raw item and category ids in dense order: a model fits only the store whose ids it uses. */
export function storeIdChecksum(store: EventStore): number {
  let h = 0x811c9dc5;
  for (const ids of [store.itemIds.rawIds(), store.categoryIds.rawIds()]) {
    for (let i = 0; i < ids.length; i++) {
      h = Math.imul(h ^ (ids[i] % 0x100000000), 0x01000193);
      h = Math.imul(h ^ Math.floor(ids[i] / 0x100000000), 0x01000193);
    }
    h = Math.imul(h ^ ids.length, 0x01000193);
  }
  return h | 0;
}

function funnelRates(clicks: number, favorites: number, carts: number, afterCart: number, direct: number): FunnelRates {
  const share = (a: number, b: number) => (b > 0 ? Math.min(1, a / b) : 0);
  return { favorite: share(favorites, clicks), cart: share(carts, clicks), purchaseAfterCart: share(afterCart, carts), directPurchase: share(direct, clicks - carts) };
}

/** The `top` most frequent next categories of each category, in the model's parallel arrays (ordered by from, count descending). */
function topTransitions(counts: Map<number, number>, numCategories: number, top: number): SimModel['transitions'] {
  const entries = [...counts].map(([key, count]) => ({ from: Math.floor(key / numCategories), to: key % numCategories, count }));
  entries.sort((a, b) => a.from - b.from || b.count - a.count || a.to - b.to);
  const out = { from: [] as number[], to: [] as number[], count: [] as number[] };
  let kept = 0;
  for (let i = 0; i < entries.length; i++) {
    kept = i > 0 && entries[i].from === entries[i - 1].from ? kept + 1 : 0;
    if (kept >= top) continue;
    out.from.push(entries[i].from);
    out.to.push(entries[i].to);
    out.count.push(entries[i].count);
  }
  return out;
}

/**
 * α of the organic category choice P(c | u, c_prev) = α θ_u(c) + (1 − α) T(c | c_prev): the grid
 * value with the highest log-likelihood of the logged moves (1/2 when there are none).
 */
function fitTasteMix(moves: number[], taste: Parameters<typeof itemAffinity>[0], transitions: SimModel['transitions'], numCategories: number): number {
  if (moves.length === 0) return 0.5;
  const rowTotal = new Float64Array(numCategories);
  const kept = new Map<number, number>();
  for (let i = 0; i < transitions.from.length; i++) {
    rowTotal[transitions.from[i]] += transitions.count[i];
    kept.set(transitions.from[i] * numCategories + transitions.to[i], transitions.count[i]);
  }
  const logLikelihood = new Float64Array(TASTE_MIX_GRID.length);
  for (let m = 0; m < moves.length; m += 3) {
    const [u, from, to] = [moves[m], moves[m + 1], moves[m + 2]];
    const pTaste = Math.exp(itemAffinity(taste, u, to, 0));
    const pMove = rowTotal[from] > 0 ? (kept.get(from * numCategories + to) ?? 0) / rowTotal[from] : 0;
    for (let g = 0; g < TASTE_MIX_GRID.length; g++) logLikelihood[g] += Math.log(TASTE_MIX_GRID[g] * pTaste + (1 - TASTE_MIX_GRID[g]) * pMove + 1e-12);
  }
  let best = 0;
  for (let g = 1; g < TASTE_MIX_GRID.length; g++) if (logLikelihood[g] > logLikelihood[best]) best = g;
  return TASTE_MIX_GRID[best];
}

function sum(values: ArrayLike<number>): number {
  let total = 0;
  for (let i = 0; i < values.length; i++) total += values[i];
  return total;
}
