import { createRng, fork, type Rng } from '../core/rng.js';
import { parseDay } from '../data/split.js';
import { SECONDS_PER_DAY } from '../data/event-store.js';
import { AliasTable } from '../core/alias-table.js';
import type { GeneratorConfig } from './generator-config.js';

/** Relative traffic per UTC hour of day: quiet at night, rising through the day, peaking in the evening. */
export const HOUR_WEIGHTS: readonly number[] = Object.freeze([
  3.2, 1.8, 1.1, 0.7, 0.55, 0.6, 1.0, 1.9, 3.0, 3.9, 4.4, 4.6, 4.5, 4.5, 4.6, 4.6, 4.5, 4.4, 4.4, 5.0, 6.0, 7.0, 7.1, 5.6,
]);

const MAX_TASTES = 4;
const HISTORY_LENGTH = 64;
const ACTIVITY_SIGMA = 0.8;
const RESAMPLE_TRIES = 16;
const USER_ID_STRIDE = 100;

/**
 * The item side of the population: categories, items with a power-law popularity inside their
 * category, release days (the catalogue grows over time) and raw ids that look like Tianchi's.
 * Item and category ids here are dense (0-based); `itemRawIds`/`categoryRawIds` give the log's ids.
 * Items are numbered by category, then by popularity, so that the popular items of a category sit
 * together in memory (a 3M-item catalogue stays cache-friendly).
 */
export class Catalogue {
  readonly numItems: number;
  readonly numCategories: number;
  readonly numDays: number;
  /** Raw (log) id per item. */
  readonly itemRawIds: Float64Array;
  /** Raw (log) id per category. */
  readonly categoryRawIds: Float64Array;
  /** Dense category per item. */
  readonly itemCategory: Int32Array;
  /** Popularity weight per item (Zipf over the item's global popularity rank). */
  readonly itemWeight: Float64Array;
  /** Day index (0 = first day) from which the item can be browsed. */
  readonly itemReleaseDay: Int32Array;
  /** Items released on day d are `releasedItems[releaseOffsets[d] .. releaseOffsets[d + 1])`. */
  readonly releasedItems: Int32Array;
  readonly releaseOffsets: Int32Array;
  /** Items of category c are `categoryOffsets[c] .. categoryOffsets[c + 1]`, most popular first. */
  readonly categoryOffsets: Int32Array;
  /** Categories weighted by their items' total popularity. */
  readonly categoryTable: AliasTable;
  /** Per category, its items (as offsets from `categoryOffsets[c]`) weighted by popularity. */
  readonly categoryItemTables: readonly AliasTable[];
  /** All items weighted by popularity. */
  readonly itemTable: AliasTable;

  constructor(config: GeneratorConfig, rng: Rng) {
    const numItems = config.items;
    const numCategories = Math.min(config.categories, numItems);
    const numDays = config.days;
    const exponent = config.popularityExponent;
    this.numItems = numItems;
    this.numCategories = numCategories;
    this.numDays = numDays;

    // Draw each item's category; the first numCategories items guarantee no category is empty.
    const categorySizeWeights = new Float64Array(numCategories);
    for (let c = 0; c < numCategories; c++) categorySizeWeights[c] = 1 / (c + 1) ** (exponent * 0.8);
    const categorySizes = new AliasTable(categorySizeWeights);
    const drawnCategory = new Int32Array(numItems);
    for (let i = 0; i < numItems; i++) drawnCategory[i] = i < numCategories ? i : categorySizes.sample(rng);
    // Item ids: by category, then by global popularity rank (a random permutation of the draws).
    const byRank = permutation(numItems, rng);
    const categoryOffsets = new Int32Array(numCategories + 1);
    for (let i = 0; i < numItems; i++) categoryOffsets[drawnCategory[i] + 1]++;
    for (let c = 0; c < numCategories; c++) categoryOffsets[c + 1] += categoryOffsets[c];
    const fill = categoryOffsets.slice(0, numCategories);
    const itemCategory = new Int32Array(numItems);
    const itemWeight = new Float64Array(numItems);
    for (let rank = 0; rank < numItems; rank++) {
      const c = drawnCategory[byRank[rank]];
      const item = fill[c]++;
      itemCategory[item] = c;
      itemWeight[item] = 1 / (rank + 1) ** exponent;
    }

    // Release days: a random share of the items is on sale from day 0, the rest arrive evenly.
    const initialItems = Math.max(1, Math.min(numItems, Math.round(config.initialCatalogueShare * numItems)));
    const newItems = numItems - initialItems;
    const releaseOrder = permutation(numItems, rng);
    // Item 0 (the most popular of category 0) is on sale from day 0: the fallback of every draw.
    const zeroAt = releaseOrder.indexOf(0);
    releaseOrder[zeroAt] = releaseOrder[0];
    releaseOrder[0] = 0;
    const itemReleaseDay = new Int32Array(numItems);
    const releaseOffsets = new Int32Array(numDays + 1);
    for (let k = 0; k < numItems; k++) {
      const day = k < initialItems || numDays === 1 ? 0 : 1 + Math.floor(((k - initialItems) * (numDays - 1)) / newItems);
      itemReleaseDay[releaseOrder[k]] = day;
      releaseOffsets[day + 1]++;
    }
    for (let d = 0; d < numDays; d++) releaseOffsets[d + 1] += releaseOffsets[d];
    const releasedItems = new Int32Array(numItems);
    const releaseFill = releaseOffsets.slice(0, numDays);
    for (let item = 0; item < numItems; item++) releasedItems[releaseFill[itemReleaseDay[item]]++] = item;
    const categoryWeight = new Float64Array(numCategories);
    for (let item = 0; item < numItems; item++) categoryWeight[itemCategory[item]] += itemWeight[item];
    this.categoryOffsets = categoryOffsets;
    this.categoryItemTables = Array.from(
      { length: numCategories },
      (_, c) => new AliasTable(itemWeight.subarray(categoryOffsets[c], categoryOffsets[c + 1])),
    );
    this.categoryTable = new AliasTable(categoryWeight);
    this.itemTable = new AliasTable(itemWeight);
    this.itemCategory = itemCategory;
    this.itemWeight = itemWeight;
    this.itemReleaseDay = itemReleaseDay;
    this.releasedItems = releasedItems;
    this.releaseOffsets = releaseOffsets;
    this.itemRawIds = spreadIds(numItems, 100_000_000, 900_000_000, permutation(numItems, rng), rng);
    this.categoryRawIds = spreadIds(numCategories, 1_000, 9_000, permutation(numCategories, rng), rng);
  }

  /** A popular item of category `category` already on sale on `day`, or -1 if none was found. */
  sampleInCategory(category: number, day: number, rng: Rng): number {
    const table = this.categoryItemTables[category];
    const offset = this.categoryOffsets[category];
    const release = this.itemReleaseDay;
    for (let tries = 0; tries < RESAMPLE_TRIES; tries++) {
      const item = offset + table.sample(rng);
      if (release[item] <= day) return item;
    }
    return -1;
  }

  /** A popular item on sale on `day` (item 0 is always on sale). */
  samplePopular(day: number, rng: Rng): number {
    const release = this.itemReleaseDay;
    for (let tries = 0; tries < RESAMPLE_TRIES; tries++) {
      const item = this.itemTable.sample(rng);
      if (release[item] <= day) return item;
    }
    return 0;
  }

  /** A uniformly chosen item released on `day` (day > 0), or -1 if none was. */
  sampleFresh(day: number, rng: Rng): number {
    if (day === 0) return -1;
    const start = this.releaseOffsets[day];
    const count = this.releaseOffsets[day + 1] - start;
    return count === 0 ? -1 : this.releasedItems[start + rng.nextInt(count)];
  }
}

/**
 * One shopper: persistent traits (raw id, activity, category tastes) and the state that evolves
 * as they browse (recent items, the previous item). Reused across shoppers by {@link sampleShopper}
 * so that generating a log allocates nothing per user or per event.
 */
export class Shopper {
  /** Dense index in the population (0..users-1). */
  index = -1;
  /** Raw (log) user id. */
  rawId = 0;
  /** Expected sessions per day. */
  sessionsPerDay = 0;
  /** Number of taste categories (1..4). */
  tasteCount = 0;
  /** Preferred categories and the cumulative share of taste-driven browsing each gets. */
  readonly tasteCategories = new Int32Array(MAX_TASTES);
  readonly tasteCumulative = new Float64Array(MAX_TASTES);
  /** Ring buffer of the most recently browsed items. */
  readonly recentItems = new Int32Array(HISTORY_LENGTH);
  recentCount = 0;
  recentHead = 0;
  /** The item of the previous event, or -1. */
  previousItem = -1;

  /** True when `category` is one of the shopper's tastes. */
  likes(category: number): boolean {
    for (let k = 0; k < this.tasteCount; k++) if (this.tasteCategories[k] === category) return true;
    return false;
  }

  /** Records that the shopper interacted with `item`. */
  observe(item: number): void {
    this.recentItems[this.recentHead] = item;
    this.recentHead = (this.recentHead + 1) % HISTORY_LENGTH;
    if (this.recentCount < HISTORY_LENGTH) this.recentCount++;
    this.previousItem = item;
  }

  /** The item browsed `back` interactions ago (0 = the latest); `back < recentCount`. */
  recentAt(back: number): number {
    return this.recentItems[(this.recentHead - 1 - back + HISTORY_LENGTH) % HISTORY_LENGTH];
  }
}

/**
 * The synthetic population: a catalogue plus a recipe for shoppers. Shopper `i` is a pure function
 * of the seed and `i` (its own forked Rng), so populations of different sizes share their first users.
 */
export class ShopperPopulation {
  readonly config: GeneratorConfig;
  readonly catalogue: Catalogue;
  /** UTC day number of day index 0. */
  readonly firstDay: number;
  /** Hours of day weighted by {@link HOUR_WEIGHTS}. */
  readonly hourTable: AliasTable;
  readonly #userSeed: number;

  constructor(config: GeneratorConfig) {
    this.config = config;
    const root = createRng(config.seed);
    this.catalogue = new Catalogue(config, fork(root, 'catalogue'));
    this.#userSeed = Math.floor(fork(root, 'users').next() * 0x100000000);
    this.firstDay = parseDay(config.start);
    this.hourTable = new AliasTable(HOUR_WEIGHTS);
  }

  /** The Rng that drives shopper `index`: its traits, then its whole log. */
  shopperRng(index: number): Rng {
    return createRng(`${this.#userSeed}:user:${index}`);
  }

  /** Fills `into` with shopper `index`'s traits (drawn from `rng`) and an empty history. */
  sampleShopper(index: number, rng: Rng, into: Shopper = new Shopper()): Shopper {
    const config = this.config;
    const catalogue = this.catalogue;
    into.index = index;
    into.rawId = 10_000_000 + index * USER_ID_STRIDE + rng.nextInt(USER_ID_STRIDE);
    into.sessionsPerDay =
      config.sessionsPerUserDay * Math.exp(ACTIVITY_SIGMA * standardNormal(rng) - (ACTIVITY_SIGMA * ACTIVITY_SIGMA) / 2);
    const wanted = 1 + rng.nextInt(MAX_TASTES);
    let count = 0;
    let total = 0;
    for (let tries = 0; count < wanted && tries < 4 * MAX_TASTES; tries++) {
      const category = catalogue.categoryTable.sample(rng);
      if (into.likes(category) && count > 0) continue;
      into.tasteCategories[count] = category;
      total += -Math.log(1 - rng.next());
      into.tasteCumulative[count] = total;
      count++;
      into.tasteCount = count;
    }
    for (let k = 0; k < count; k++) into.tasteCumulative[k] /= total;
    into.tasteCount = count;
    into.recentCount = 0;
    into.recentHead = 0;
    into.previousItem = -1;
    return into;
  }

  /** One of the shopper's taste categories, by taste weight. */
  sampleTaste(shopper: Shopper, rng: Rng): number {
    const u = rng.next();
    const count = shopper.tasteCount;
    for (let k = 0; k < count - 1; k++) if (u < shopper.tasteCumulative[k]) return shopper.tasteCategories[k];
    return shopper.tasteCategories[count - 1];
  }

  /**
   * The item the shopper browses next on `day` (a day index) of their own accord: the previous item
   * again, an item from their recent history (recent ones likelier), an item released that day, or a
   * popular item of a category they like (or of any category).
   */
  chooseItem(shopper: Shopper, day: number, rng: Rng): number {
    const config = this.config;
    const catalogue = this.catalogue;
    const u = rng.next();
    if (shopper.previousItem >= 0 && u < config.repeatProbability) return shopper.previousItem;
    if (shopper.recentCount > 0 && u < config.repeatProbability + config.revisitProbability) {
      const r = rng.next();
      return shopper.recentAt(Math.floor(r * r * shopper.recentCount));
    }
    if (rng.next() < config.freshProbability) {
      const fresh = catalogue.sampleFresh(day, rng);
      if (fresh >= 0) return fresh;
    }
    const category = rng.next() < config.tasteStrength ? this.sampleTaste(shopper, rng) : catalogue.categoryTable.sample(rng);
    const item = catalogue.sampleInCategory(category, day, rng);
    return item >= 0 ? item : catalogue.samplePopular(day, rng);
  }

  /**
   * How far down the funnel the shopper goes after clicking `item`, as a bit set:
   * 1 favourite, 2 cart, 4 purchase (0 = the click only).
   */
  respondAfterClick(_shopper: Shopper, _item: number, rng: Rng): number {
    const config = this.config;
    let response = 0;
    if (rng.next() < config.favoriteRate) response |= FUNNEL_FAVORITE;
    if (rng.next() < config.cartRate) {
      response |= FUNNEL_CART;
      if (rng.next() < config.purchaseAfterCartRate) response |= FUNNEL_PURCHASE;
    } else if (rng.next() < config.directPurchaseRate) {
      response |= FUNNEL_PURCHASE;
    }
    return response;
  }

  /** UTC unix seconds at which day index `day` starts. */
  dayStart(day: number): number {
    return (this.firstDay + day) * SECONDS_PER_DAY;
  }
}

/** Funnel bits of {@link ShopperPopulation.respondAfterClick}. */
export const FUNNEL_FAVORITE = 1;
export const FUNNEL_CART = 2;
export const FUNNEL_PURCHASE = 4;

/** A uniform random permutation of 0..n-1 (Fisher–Yates). */
export function permutation(n: number, rng: Rng): Int32Array {
  const out = new Int32Array(n);
  for (let i = 0; i < n; i++) out[i] = i;
  for (let i = n - 1; i > 0; i--) {
    const j = rng.nextInt(i + 1);
    const t = out[i];
    out[i] = out[j];
    out[j] = t;
  }
  return out;
}

/** `n` distinct ids in [base, base + span), in the order given by `order`, with random low digits. */
function spreadIds(n: number, base: number, span: number, order: Int32Array, rng: Rng): Float64Array {
  const stride = Math.max(1, Math.floor(span / n));
  const ids = new Float64Array(n);
  for (let i = 0; i < n; i++) ids[i] = base + order[i] * stride + rng.nextInt(stride);
  return ids;
}

/** A standard normal draw (Box–Muller, two uniforms). */
export function standardNormal(rng: Rng): number {
  const u = 1 - rng.next();
  const v = rng.next();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
}
