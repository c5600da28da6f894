import { Behavior } from '../data/behavior.js';
import type { TimeWindow } from '../data/split.js';
import { rocAuc } from './rank-statistics.js';
import type { ShopperModel } from './shopper-model.js';

const MAX_RATE = 0.95;

/** One behaviour's response-model AUC on held-out events. */
export interface ResponseAuc {
  readonly behaviour: 'favorite' | 'cart' | 'purchase';
  /** Clicked (user, item) pairs with and without the behaviour. */
  readonly positives: number;
  readonly negatives: number;
  /** NaN when either class is empty. */
  readonly auc: number;
}

/**
 * AUC of the simulator's funnel on held-out events: every (user, item) pair clicked inside
 * `window` is scored with the model's chance of a favourite, a cart and a purchase after a click
 * (the category's rate times the affinity factor, as the simulator draws them) and labelled by
 * whether the user did that to the item inside the window.
 */
export function responseAucs(model: ShopperModel, window: TimeWindow): ResponseAuc[] {
  const { store } = model;
  const { numUsers, userOffsets, items, behaviors, times } = store;
  const pairs = new Map<number, number>();
  const scores: number[][] = [[], [], []];
  const labels: number[][] = [[], [], []];
  for (let u = 0; u < numUsers; u++) {
    pairs.clear();
    for (let p = userOffsets[u]; p < userOffsets[u + 1]; p++) {
      if (times[p] < window.start || times[p] >= window.end || behaviors[p] !== Behavior.click) continue;
      const x = items[p];
      if (pairs.has(x)) continue;
      pairs.set(x, labels[0].length);
      const c = model.itemCategory[x];
      const factor = model.funnelFactor(u, x);
      const cart = Math.min(MAX_RATE, model.cartRate[c] * factor);
      scores[0].push(Math.min(MAX_RATE, model.favoriteRate[c] * factor));
      scores[1].push(cart);
      scores[2].push(cart * model.purchaseAfterCartRate[c] + (1 - cart) * Math.min(MAX_RATE, model.directPurchaseRate[c] * factor));
      for (const l of labels) l.push(0);
    }
    for (let p = userOffsets[u]; p < userOffsets[u + 1]; p++) {
      if (times[p] < window.start || times[p] >= window.end || behaviors[p] === Behavior.click) continue;
      const index = pairs.get(items[p]);
      if (index !== undefined) labels[behaviors[p] - 2][index] = 1;
    }
  }
  return (['favorite', 'cart', 'purchase'] as const).map((behaviour, b) => {
    const positives = labels[b].reduce((s, l) => s + l, 0);
    return { behaviour, positives, negatives: labels[b].length - positives, auc: rocAuc(scores[b], labels[b]) };
  });
}
