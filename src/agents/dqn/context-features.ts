import { SECONDS_PER_DAY, type EventStore } from '../../data/event-store.js';

/** Names of the context features of a (state, item) pair, in the order they are written. */
export const CONTEXT_FEATURE_NAMES = ['popularityYesterday', 'popularityBefore', 'previousCategory', 'recentCategory'] as const;

/** Number of context features per (state, item). */
export const NUM_CONTEXT_FEATURES = CONTEXT_FEATURE_NAMES.length;

/** Options of {@link ContextFeatures}. */
export interface ContextFeatureOptions {
  /** Only events with time < this count towards popularity (the training window's end). */
  readonly untilTime: number;
  /** Latest events of the user whose categories make the `recentCategory` feature. */
  readonly recentEvents: number;
  /** Items the agent may rank (the training catalogue); others are skipped by the category lists. */
  readonly known?: Uint8Array;
}

/**
 * Features of any catalogue item for a state, on typed arrays, as the test day sees them: the
 * item's popularity on the day before the state's day and over all days before it (log(1 + events),
 * counting only events before `untilTime`), whether it is in the category of the previous event, and
 * the share of the user's latest `recentEvents` events in its category. A training state thus sees
 * the popularity of the days before its own day only, as a test state does.
 */
export class ContextFeatures {
  readonly store: EventStore;
  readonly recentEvents: number;
  readonly firstDay: number;
  readonly numDays: number;
  /** Per day index d, log(1 + events of item x on day d - 1) at [d * numItems + x]. */
  readonly popularityYesterday: Float32Array;
  /** Per day index d, log(1 + events of item x on days < d). */
  readonly popularityBefore: Float32Array;
  /** Known items per category (CSR over dense category ids). */
  readonly categoryStart: Int32Array;
  readonly categoryItems: Int32Array;
  /** Distinct categories of the loaded state's latest events and their shares; `numCategories` valid. */
  readonly categories: Int32Array;
  readonly shares: Float32Array;
  numCategories = 0;
  #day = 0;
  #previousCategory = -1;
  #share: Float32Array;

  constructor(store: EventStore, options: ContextFeatureOptions) {
    if (!(Number.isInteger(options.recentEvents) && options.recentEvents >= 1)) throw new RangeError(`expected recentEvents >= 1, actual ${options.recentEvents}`);
    this.store = store;
    this.recentEvents = options.recentEvents;
    const numItems = store.numItems;
    const length = store.length;
    this.firstDay = length > 0 ? Math.floor(store.minTime / SECONDS_PER_DAY) : 0;
    this.numDays = length > 0 ? Math.floor(store.maxTime / SECONDS_PER_DAY) - this.firstDay + 2 : 1;
    const counts = new Float64Array(this.numDays * numItems);
    const { items, times } = store;
    for (let p = 0; p < length; p++) {
      if (times[p] >= options.untilTime) continue;
      const d = Math.floor(times[p] / SECONDS_PER_DAY) - this.firstDay;
      counts[d * numItems + items[p]]++;
    }
    this.popularityYesterday = new Float32Array(this.numDays * numItems);
    this.popularityBefore = new Float32Array(this.numDays * numItems);
    const running = new Float64Array(numItems);
    for (let d = 1; d < this.numDays; d++) {
      const base = d * numItems;
      const previous = (d - 1) * numItems;
      for (let x = 0; x < numItems; x++) {
        const c = counts[previous + x];
        running[x] += c;
        this.popularityYesterday[base + x] = Math.log1p(c);
        this.popularityBefore[base + x] = Math.log1p(running[x]);
      }
    }
    const numCategoryIds = store.numCategories;
    const known = options.known;
    this.categoryStart = new Int32Array(numCategoryIds + 1);
    const itemCategory = store.itemCategory;
    for (let x = 0; x < numItems; x++) if ((!known || known[x] === 1) && itemCategory[x] >= 0) this.categoryStart[itemCategory[x] + 1]++;
    for (let c = 0; c < numCategoryIds; c++) this.categoryStart[c + 1] += this.categoryStart[c];
    this.categoryItems = new Int32Array(this.categoryStart[numCategoryIds]);
    const fill = this.categoryStart.slice(0, numCategoryIds);
    for (let x = 0; x < numItems; x++) if ((!known || known[x] === 1) && itemCategory[x] >= 0) this.categoryItems[fill[itemCategory[x]]++] = x;
    this.categories = new Int32Array(this.recentEvents);
    this.shares = new Float32Array(this.recentEvents);
    this.#share = new Float32Array(numCategoryIds);
  }

  /** Day index (into the popularity tables) of store position `position`'s day. */
  dayIndex(position: number): number {
    const { store } = this;
    const time = position < store.length ? store.times[position] : store.times[position - 1];
    return Math.min(this.numDays - 1, Math.max(0, Math.floor(time / SECONDS_PER_DAY) - this.firstDay));
  }

  /** True when `item` has an event before the day of store position `position` (and before `untilTime`). */
  seenBefore(position: number, item: number): boolean {
    return this.seenOnDayIndex(this.dayIndex(position), item);
  }

  /** True when `item` has an event before day index `day`. */
  seenOnDayIndex(day: number, item: number): boolean {
    return this.popularityBefore[day * this.store.numItems + item] > 0;
  }

  /** Loads the state of `user` before store position `position`. */
  load(user: number, position: number): void {
    const share = this.#share;
    for (let k = 0; k < this.numCategories; k++) share[this.categories[k]] = 0;
    const { store } = this;
    const first = Math.max(store.userOffsets[user], position - this.recentEvents);
    let n = 0;
    const unit = 1 / this.recentEvents;
    for (let p = position - 1; p >= first; p--) {
      const c = store.categories[p];
      if (share[c] === 0) this.categories[n++] = c;
      share[c] += unit;
    }
    for (let k = 0; k < n; k++) this.shares[k] = share[this.categories[k]];
    this.numCategories = n;
    this.#day = this.dayIndex(position);
    this.#previousCategory = position - 1 >= store.userOffsets[user] ? store.categories[position - 1] : -1;
  }

  /** Sum of the loaded shares (1 once the user has `recentEvents` events). */
  numShare(): number {
    let s = 0;
    for (let k = 0; k < this.numCategories; k++) s += this.shares[k];
    return s;
  }

  /** Writes the features of `item` for the loaded state to `out[offset .. offset + NUM_CONTEXT_FEATURES)`. */
  write(item: number, out: Float32Array, offset: number): void {
    const numItems = this.store.numItems;
    const at = this.#day * numItems + item;
    const c = this.store.itemCategory[item];
    out[offset] = this.popularityYesterday[at];
    out[offset + 1] = this.popularityBefore[at];
    out[offset + 2] = c >= 0 && c === this.#previousCategory ? 1 : 0;
    out[offset + 3] = c >= 0 ? this.#share[c] : 0;
  }

  /**
   * Writes the features of `items[0 .. n)` for the loaded state to `out` from `offset` (n rows of
   * NUM_CONTEXT_FEATURES) and their logits w · features to `logits` from `logitOffset`; with
   * `unseenLogit` defined, items unseen before the state's day get that logit instead.
   */
  writeRow(items: Int32Array, n: number, w: Float32Array, out: Float32Array, offset: number, logits: Float32Array, logitOffset: number, unseenLogit?: number): void {
    const base = this.#day * this.store.numItems;
    const yesterday = this.popularityYesterday;
    const before = this.popularityBefore;
    const itemCategory = this.store.itemCategory;
    const share = this.#share;
    const previous = this.#previousCategory;
    const w0 = w[0];
    const w1 = w[1];
    const w2 = w[2];
    const w3 = w[3];
    const isMasked = unseenLogit !== undefined;
    for (let u = 0; u < n; u++) {
      const item = items[u];
      const at = offset + u * 4;
      const c = itemCategory[item];
      const f0 = yesterday[base + item];
      const f1 = before[base + item];
      const f2 = c >= 0 && c === previous ? 1 : 0;
      const f3 = c >= 0 ? share[c] : 0;
      out[at] = f0;
      out[at + 1] = f1;
      out[at + 2] = f2;
      out[at + 3] = f3;
      if (isMasked && f1 === 0) logits[logitOffset + u] = unseenLogit;
      else logits[logitOffset + u] += w0 * f0 + w1 * f1 + w2 * f2 + w3 * f3;
    }
  }

  /**
   * Adds w · features(state, x) to `out[offset + x]` for every item x < `numItems` of the loaded state:
   * the popularity rows of its day, then the category terms over the category lists.
   */
  addScores(w: ArrayLike<number>, out: Float64Array, offset: number, numItems: number): void {
    const base = this.#day * this.store.numItems;
    const yesterday = this.popularityYesterday;
    const before = this.popularityBefore;
    const w0 = w[0];
    const w1 = w[1];
    for (let x = 0; x < numItems; x++) out[offset + x] += w0 * yesterday[base + x] + w1 * before[base + x];
    const { categoryStart, categoryItems } = this;
    for (let k = 0; k < this.numCategories; k++) {
      const c = this.categories[k];
      const add = w[3] * this.shares[k] + (c === this.#previousCategory ? w[2] : 0);
      for (let j = categoryStart[c]; j < categoryStart[c + 1]; j++) {
        const x = categoryItems[j];
        if (x < numItems) out[offset + x] += add;
      }
    }
  }
}
