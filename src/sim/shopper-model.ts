import { AliasTable } from '../core/alias-table.js';
import { ErrorCode, RecGymError } from '../core/errors.js';
import type { Rng } from '../core/rng.js';
import type { EventStore } from '../data/event-store.js';
import { storeIdChecksum } from './fit-simulator.js';
import type { BehaviourParams, SimModel } from './sim-model.js';
import { itemAffinity, itemLogShare, type Taste } from './taste.js';

const MIN_FUNNEL_FACTOR = 0.25;
const MAX_FUNNEL_FACTOR = 4;

/** Where a draw comes from: the caller's seeded {@link Rng}. */
export type Draws = Pick<Rng, 'next'>;

/**
 * A {@link SimModel} compiled against its store into typed arrays for the hot path: alias tables
 * of items by popularity within each category, cumulative transition rows, users' category counts,
 * funnel rates and each item's log share in its category. Read-only once built.
 */
export class ShopperModel {
  readonly model: SimModel;
  readonly store: EventStore;
  readonly behaviour: BehaviourParams;
  readonly taste: Taste;
  readonly numItems: number;
  readonly numCategories: number;
  /** Category per item (the store's). */
  readonly itemCategory: Int32Array;
  /** 1 for items with training events: the fitted support. */
  readonly inSupport: Uint8Array;
  /** log P(x | c) per item. */
  readonly logShare: Float64Array;
  /** Funnel rates per category. */
  readonly favoriteRate: Float64Array;
  readonly cartRate: Float64Array;
  readonly purchaseAfterCartRate: Float64Array;
  readonly directPurchaseRate: Float64Array;
  /** Users with training events: the shoppers an episode can be. */
  readonly shoppers: Int32Array;
  /** Per user, the store position just past their last event before the end of the training window. */
  readonly historyEnds: Int32Array;
  /** Chance that the user ends the session after a step of their own accord: leaveScale / mean clicks per session. */
  readonly leaveRate: number;
  /** The mean of the clipped funnel factor over the logged clicks' affinity percentiles (what `funnelFactor` divides by). */
  readonly #funnelNormaliser: number;
  readonly #categoryItemStart: Int32Array;
  readonly #categoryItems: Int32Array;
  readonly #categoryProbability: Float64Array;
  readonly #categoryAlias: Int32Array;
  readonly #categoryTable: AliasTable;
  readonly #popularTable: AliasTable;
  readonly #supportItems: Int32Array;
  readonly #transitionStart: Int32Array;
  readonly #transitionTo: Int32Array;
  readonly #transitionCumulative: Float64Array;
  readonly #userStart: Int32Array;
  readonly #userCategories: Int32Array;
  readonly #userCounts: Float64Array;
  readonly #userTotals: Float64Array;
  readonly #hourTable: AliasTable;

  /** Compiles `model` for `store`; a model fitted on another store throws BAD_OPTION (its message starts with `where`). */
  constructor(model: SimModel, store: EventStore, where = 'simulator') {
    const { numUsers, numItems, numCategories } = store;
    const fitted = model.store;
    if (fitted.numUsers !== numUsers || fitted.numItems !== numItems || fitted.numCategories !== numCategories || fitted.idChecksum !== storeIdChecksum(store)) {
      throw new RecGymError(
        ErrorCode.BAD_OPTION,
        `${where}: expected a model fitted on this log (${numUsers} users, ${numItems} items, ${numCategories} categories, id checksum ${storeIdChecksum(store)}), actual one fitted on ${fitted.numUsers} users, ${fitted.numItems} items, ${fitted.numCategories} categories, id checksum ${fitted.idChecksum}`,
      );
    }
    this.model = model;
    this.store = store;
    this.behaviour = model.behaviour;
    this.numItems = numItems;
    this.numCategories = numCategories;
    this.itemCategory = store.itemCategory;
    const itemCounts = Float64Array.from(model.itemCounts);
    const categoryCounts = Float64Array.from(model.categoryCounts);
    this.inSupport = new Uint8Array(numItems);
    this.logShare = new Float64Array(numItems);
    let supportSize = 0;
    const perCategory = new Int32Array(numCategories + 1);
    for (let x = 0; x < numItems; x++) {
      const c = this.itemCategory[x];
      this.logShare[x] = itemLogShare(itemCounts[x], c >= 0 ? categoryCounts[c] : 0);
      if (itemCounts[x] > 0 && c >= 0) {
        this.inSupport[x] = 1;
        supportSize++;
        perCategory[c + 1]++;
      }
    }
    for (let c = 0; c < numCategories; c++) perCategory[c + 1] += perCategory[c];
    this.#categoryItemStart = perCategory;
    this.#categoryItems = new Int32Array(supportSize);
    this.#supportItems = new Int32Array(supportSize);
    const cursor = perCategory.slice(0, numCategories);
    for (let x = 0, s = 0; x < numItems; x++) {
      if (this.inSupport[x] === 0) continue;
      this.#categoryItems[cursor[this.itemCategory[x]]++] = x;
      this.#supportItems[s++] = x;
    }
    this.#categoryProbability = new Float64Array(supportSize);
    this.#categoryAlias = new Int32Array(supportSize);
    const supportWeights = new Float64Array(supportSize);
    for (let c = 0; c < numCategories; c++) {
      const from = perCategory[c];
      const to = perCategory[c + 1];
      if (from === to) continue;
      const weights = new Float64Array(to - from);
      for (let k = from; k < to; k++) weights[k - from] = itemCounts[this.#categoryItems[k]];
      const table = new AliasTable(weights);
      this.#categoryProbability.set(table.probabilities, from);
      for (let k = 0; k < to - from; k++) this.#categoryAlias[from + k] = this.#categoryItems[from + table.aliases[k]];
    }
    for (let s = 0; s < supportSize; s++) supportWeights[s] = itemCounts[this.#supportItems[s]];
    this.#popularTable = new AliasTable(supportWeights);
    this.#categoryTable = new AliasTable(categoryCounts);
    const { from, to, count } = model.transitions;
    this.#transitionStart = new Int32Array(numCategories + 1);
    for (const f of from) this.#transitionStart[f + 1]++;
    for (let c = 0; c < numCategories; c++) this.#transitionStart[c + 1] += this.#transitionStart[c];
    this.#transitionTo = new Int32Array(to.length);
    this.#transitionCumulative = new Float64Array(to.length);
    const rowCursor = this.#transitionStart.slice(0, numCategories);
    for (let i = 0; i < from.length; i++) {
      const k = rowCursor[from[i]]++;
      this.#transitionTo[k] = to[i];
      this.#transitionCumulative[k] = count[i];
    }
    for (let c = 0; c < numCategories; c++) {
      let total = 0;
      for (let k = this.#transitionStart[c]; k < this.#transitionStart[c + 1]; k++) total += this.#transitionCumulative[k];
      let running = 0;
      for (let k = this.#transitionStart[c]; k < this.#transitionStart[c + 1]; k++) this.#transitionCumulative[k] = (running += this.#transitionCumulative[k]) / total;
    }
    this.#userStart = Int32Array.from(model.users.start);
    this.#userCategories = Int32Array.from(model.users.categories);
    this.#userCounts = Float64Array.from(model.users.counts);
    this.#userTotals = Float64Array.from(model.users.totals);
    this.taste = {
      users: { start: this.#userStart, categories: this.#userCategories, counts: this.#userCounts, totals: this.#userTotals },
      categoryCounts,
      tasteSmoothing: model.tasteSmoothing,
      events: model.events,
    };
    this.historyEnds = new Int32Array(numUsers);
    const { userOffsets, times } = store;
    for (let u = 0; u < numUsers; u++) {
      let end = userOffsets[u];
      while (end < userOffsets[u + 1] && times[end] < model.trainWindow.end) end++;
      this.historyEnds[u] = end;
    }
    const shoppers: number[] = [];
    for (let u = 0; u < numUsers; u++) if (this.#userTotals[u] > 0) shoppers.push(u);
    this.shoppers = Int32Array.from(shoppers);
    const rates = model.funnel.byCategory;
    this.favoriteRate = Float64Array.from(rates.favorite);
    this.cartRate = Float64Array.from(rates.cart);
    this.purchaseAfterCartRate = Float64Array.from(rates.purchaseAfterCart);
    this.directPurchaseRate = Float64Array.from(rates.directPurchase);
    this.#hourTable = new AliasTable(model.hourProfile.some((h) => h > 0) ? model.hourProfile : new Array(24).fill(1));
    this.leaveRate = model.behaviour.leaveScale / model.session.meanClicks;
    let normaliser = 0;
    for (const a of model.affinityQuantiles) normaliser += this.#clippedFactor(a) / model.affinityQuantiles.length;
    this.#funnelNormaliser = normaliser;
  }

  /**
   * What the favourite, cart and direct-purchase rates of `user` on `item` are multiplied by:
   * exp(η (affinity − mean affinity)) clipped to [1/4, 4], divided by its mean over the logged
   * clicks, so that the fitted rates hold on average over what users click of their own accord.
   */
  funnelFactor(user: number, item: number): number {
    return this.#clippedFactor(this.affinity(user, item)) / this.#funnelNormaliser;
  }

  #clippedFactor(affinity: number): number {
    return Math.min(MAX_FUNNEL_FACTOR, Math.max(MIN_FUNNEL_FACTOR, Math.exp(this.behaviour.funnelAffinitySlope * (affinity - this.model.meanAffinity))));
  }

  /** Affinity of `user` for `item`: log θ_u(c) + log P(x | c) (see `docs/simulator.md`). */
  affinity(user: number, item: number): number {
    return itemAffinity(this.taste, user, this.itemCategory[item], this.logShare[item]);
  }

  /** A category by the user's taste θ_u. */
  sampleTasteCategory(user: number, draws: Draws): number {
    const start = this.#userStart[user];
    const end = this.#userStart[user + 1];
    const own = this.#userTotals[user];
    let r = draws.next() * (own + this.model.tasteSmoothing);
    if (r >= own) return this.#categoryTable.sample(draws);
    for (let k = start; k < end - 1; k++) {
      r -= this.#userCounts[k];
      if (r < 0) return this.#userCategories[k];
    }
    return this.#userCategories[end - 1];
  }

  /** A next category after `previous` by the fitted transitions; -1 when the category has none. */
  sampleTransition(previous: number, draws: Draws): number {
    if (previous < 0) return -1;
    const start = this.#transitionStart[previous];
    const end = this.#transitionStart[previous + 1];
    if (start === end) return -1;
    const r = draws.next();
    for (let k = start; k < end - 1; k++) if (r < this.#transitionCumulative[k]) return this.#transitionTo[k];
    return this.#transitionTo[end - 1];
  }

  /** An item of `category` by popularity (an item of the whole support when the category has none). */
  sampleItemIn(category: number, draws: Draws): number {
    const start = this.#categoryItemStart[category];
    const size = this.#categoryItemStart[category + 1] - start;
    if (size === 0) return this.#supportItems[this.#popularTable.sample(draws)];
    const scaled = draws.next() * size;
    const column = Math.floor(scaled);
    return scaled - column < this.#categoryProbability[start + column] ? this.#categoryItems[start + column] : this.#categoryAlias[start + column];
  }

  /** A UTC hour by the fitted profile of session starts. */
  sampleHour(draws: Draws): number {
    return this.#hourTable.sample(draws);
  }
}
