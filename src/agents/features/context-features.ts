import { SECONDS_PER_DAY, type EventStore } from '../../data/event-store.js';
import type { StateBatch } from '../../data/state-batch.js';
import { TransitionsByDay } from './transitions-by-day.js';

/** Names of the context features of a (state, item) pair, in the order they are written. */
export const CONTEXT_FEATURE_NAMES = ['popularityYesterday', 'popularityBefore', 'previousCategory', 'recentCategory', 'transition', 'tasteCategory', 'categoryPopularity'] as const;

/** Weights of the state's last events in the transition feature, most recent first. */
export const TRANSITION_WEIGHTS: readonly number[] = [1, 0.5, 0.25];

/** Number of context features per (state, item). */
export const NUM_CONTEXT_FEATURES = CONTEXT_FEATURE_NAMES.length;

/**
 * The context weights' gradient: out[j] = Σ g[k] · values[k · 7 + j] over the k < n whose logit is
 * not `skipLogit`, summed in k order with every partial sum rounded to float32. That is exactly what
 * adding into a Float32Array gives; the sums are kept in registers instead, ≈ 1.7× faster on the
 * training step's 256 × ~2,400 (state, item) pairs.
 */
export function contextWeightGradient(g: Float32Array, logits: Float32Array, skipLogit: number, values: Float32Array, n: number, out: Float32Array): void {
  if (NUM_CONTEXT_FEATURES !== 7) throw new TypeError(`contextWeightGradient: expected 7 context features, actual ${NUM_CONTEXT_FEATURES}`);
  const round = Math.fround;
  let d0 = 0;
  let d1 = 0;
  let d2 = 0;
  let d3 = 0;
  let d4 = 0;
  let d5 = 0;
  let d6 = 0;
  for (let k = 0; k < n; k++) {
    if (logits[k] === skipLogit) continue;
    const gk = g[k];
    const v = k * 7;
    d0 = round(d0 + gk * values[v]);
    d1 = round(d1 + gk * values[v + 1]);
    d2 = round(d2 + gk * values[v + 2]);
    d3 = round(d3 + gk * values[v + 3]);
    d4 = round(d4 + gk * values[v + 4]);
    d5 = round(d5 + gk * values[v + 5]);
    d6 = round(d6 + gk * values[v + 6]);
  }
  out[0] = d0;
  out[1] = d1;
  out[2] = d2;
  out[3] = d3;
  out[4] = d4;
  out[5] = d5;
  out[6] = d6;
}

/** Options of {@link ContextFeatures}. */
export interface ContextFeatureOptions {
  /** Only events with time < this count towards popularity (the training window's end). */
  readonly untilTime: number;
  /** Latest events of the user whose categories make the `recentCategory` feature. */
  readonly recentEvents: number;
  /** Latest events of the user whose categories make the `tasteCategory` feature (default 100). */
  readonly tasteEvents?: number;
  /** Length of a "day" in seconds (default 86,400): popularity, transitions and `seenBefore` count by these periods. */
  readonly periodSeconds?: number;
  /** Items the agent may rank (the training catalogue); others are skipped by the category lists. */
  readonly known?: Uint8Array;
}

/**
 * Features of any catalogue item for a state, on typed arrays, as the test day sees them: the
 * item's popularity on the day before the state's day and over all days before it (log(1 + events),
 * counting only events before `untilTime`), whether it is in the category of the previous event, and
 * the share of the user's latest `recentEvents` events in its category, and how often the user's
 * last three items were followed by it (log(1 + Σ weight · count), {@link TRANSITION_WEIGHTS}),
 * log(1 + the user's events in its category among the latest `tasteEvents`) (a longer-lived taste),
 * and log(1 + events of its category on the days before the state's day). The state's day is the
 * day of its request time (`StateBatch.times`), never the day of the event it is judged on. A
 * training state thus sees the popularity and transitions of the days before its own day only, as a
 * test state does.
 */
export class ContextFeatures {
  readonly store: EventStore;
  readonly recentEvents: number;
  readonly tasteEvents: number;
  /** Length of a "day" (period) in seconds. */
  readonly periodSeconds: number;
  readonly firstDay: number;
  readonly numDays: number;
  /** Per day index d, log(1 + events of item x on day d - 1) at [d * numItems + x]. */
  readonly popularityYesterday: Float32Array;
  /** Per day index d, log(1 + events of item x on days < d). */
  readonly popularityBefore: Float32Array;
  /** Known items per category (CSR over dense category ids). */
  readonly categoryStart: Int32Array;
  readonly categoryItems: Int32Array;
  /** Per day index d, log(1 + events of category c on days < d) at [d * numCategories + c]. */
  readonly categoryPopularity: Float32Array;
  /** Distinct categories of the loaded state's latest `tasteEvents` events and log(1 + their counts); `numTastes` valid. */
  readonly tasteCategories: Int32Array;
  readonly tasteValues: Float32Array;
  numTastes = 0;
  #taste: Float32Array;
  /** Distinct categories of the loaded state's latest events and their shares; `numCategories` valid. */
  readonly categories: Int32Array;
  readonly shares: Float32Array;
  numCategories = 0;
  /** Items the loaded state's last items were followed by on earlier days; `numFollowers` valid. */
  readonly followers: Int32Array;
  numFollowers = 0;
  readonly transitions: TransitionsByDay;
  #transition: Float32Array;
  #transitionMark: Int32Array;
  #stamp = 0;
  #day = 0;
  #previousCategory = -1;
  #share: Float32Array;

  constructor(store: EventStore, options: ContextFeatureOptions) {
    if (!(Number.isInteger(options.recentEvents) && options.recentEvents >= 1)) throw new RangeError(`expected recentEvents >= 1, actual ${options.recentEvents}`);
    this.store = store;
    this.recentEvents = options.recentEvents;
    this.tasteEvents = options.tasteEvents ?? 100;
    this.periodSeconds = options.periodSeconds ?? SECONDS_PER_DAY;
    if (!(Number.isInteger(this.periodSeconds) && this.periodSeconds >= 1)) throw new RangeError(`expected periodSeconds >= 1, actual ${this.periodSeconds}`);
    const period = this.periodSeconds;
    if (!(Number.isInteger(this.tasteEvents) && this.tasteEvents >= 1)) throw new RangeError(`expected tasteEvents >= 1, actual ${this.tasteEvents}`);
    const numItems = store.numItems;
    const length = store.length;
    this.firstDay = length > 0 ? Math.floor(store.minTime / period) : 0;
    this.numDays = length > 0 ? Math.floor(store.maxTime / period) - this.firstDay + 2 : 1;
    const counts = new Float64Array(this.numDays * numItems);
    const { items, times } = store;
    for (let p = 0; p < length; p++) {
      if (times[p] >= options.untilTime) continue;
      const d = Math.floor(times[p] / period) - this.firstDay;
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
    this.#taste = new Float32Array(numCategoryIds);
    this.tasteCategories = new Int32Array(Math.min(this.tasteEvents, Math.max(1, numCategoryIds)));
    this.tasteValues = new Float32Array(this.tasteCategories.length);
    const categoryCounts = new Float64Array(this.numDays * numCategoryIds);
    const { categories } = store;
    for (let p = 0; p < length; p++) {
      if (times[p] >= options.untilTime) continue;
      const d = Math.floor(times[p] / period) - this.firstDay;
      categoryCounts[d * numCategoryIds + categories[p]]++;
    }
    this.categoryPopularity = new Float32Array(this.numDays * numCategoryIds);
    const categoryRunning = new Float64Array(numCategoryIds);
    for (let d = 1; d < this.numDays; d++) {
      for (let c = 0; c < numCategoryIds; c++) {
        categoryRunning[c] += categoryCounts[(d - 1) * numCategoryIds + c];
        this.categoryPopularity[d * numCategoryIds + c] = Math.log1p(categoryRunning[c]);
      }
    }
    this.transitions = new TransitionsByDay(store, options.untilTime, period);
    this.followers = new Int32Array(numItems);
    this.#transition = new Float32Array(numItems);
    this.#transitionMark = new Int32Array(numItems);
  }

  /** Day index (into the popularity tables) of the day of `time` (seconds, UTC). */
  dayIndex(time: number): number {
    return Math.min(this.numDays - 1, Math.max(0, Math.floor(time / this.periodSeconds) - this.firstDay));
  }

  /** True when `item` has an event before the day of `time` (and before `untilTime`). */
  seenBefore(time: number, item: number): boolean {
    return this.seenOnDayIndex(this.dayIndex(time), item);
  }

  /** True when `item` has an event before day index `day`. */
  seenOnDayIndex(day: number, item: number): boolean {
    return this.popularityBefore[day * this.store.numItems + item] > 0;
  }

  /** Loads request `i` of `states` (its visible history, its day from the request time). */
  load(states: StateBatch, i: number): void {
    const n = this.#countCategories(states, i, this.recentEvents, this.#share, this.categories, this.numCategories, 1 / this.recentEvents);
    for (let k = 0; k < n; k++) this.shares[k] = this.#share[this.categories[k]];
    this.numCategories = n;
    this.#day = this.dayIndex(states.times[i]);
    this.#previousCategory = states.lengths[i] > 0 ? states.category(i, 0) : -1;
    this.#loadTransitions(states, i);
    this.#loadTastes(states, i);
  }

  /**
   * Distinct categories of request `i`'s latest `limit` events into `list` (most
   * recent first; returns how many), adding `increment` to `counts[c]` per event; the `previous`
   * entries of `list` are cleared from `counts` first.
   */
  #countCategories(states: StateBatch, i: number, limit: number, counts: Float32Array, list: Int32Array, previous: number, increment: number): number {
    for (let k = 0; k < previous; k++) counts[list[k]] = 0;
    const back = Math.min(states.lengths[i], limit);
    let n = 0;
    for (let k = 0; k < back; k++) {
      const c = states.category(i, k);
      if (counts[c] === 0) list[n++] = c;
      counts[c] += increment;
    }
    return n;
  }

  /** Categories of the latest `tasteEvents` events with log(1 + count). */
  #loadTastes(states: StateBatch, i: number): void {
    const taste = this.#taste;
    const n = this.#countCategories(states, i, this.tasteEvents, taste, this.tasteCategories, this.numTastes, 1);
    for (let k = 0; k < n; k++) {
      const c = this.tasteCategories[k];
      taste[c] = Math.log1p(taste[c]);
      this.tasteValues[k] = taste[c];
    }
    this.numTastes = n;
  }

  /** Followers of the state's last items on days before its day, with log(1 + weighted count). */
  #loadTransitions(states: StateBatch, i: number): void {
    if (this.#stamp === 0x7fffffff) {
      this.#transitionMark.fill(0);
      this.#stamp = 0;
    }
    const stamp = ++this.#stamp;
    const mark = this.#transitionMark;
    const value = this.#transition;
    const followers = this.followers;
    const { rowStart, next, day, count } = this.transitions;
    const today = this.#day;
    let n = 0;
    const back = Math.min(states.lengths[i], TRANSITION_WEIGHTS.length);
    for (let k = 0; k < back; k++) {
      const a = states.item(i, k);
      const weight = TRANSITION_WEIGHTS[k];
      for (let j = rowStart[a]; j < rowStart[a + 1]; j++) {
        if (day[j] >= today) continue;
        const b = next[j];
        if (mark[b] !== stamp) {
          mark[b] = stamp;
          value[b] = 0;
          followers[n++] = b;
        }
        value[b] += weight * count[j];
      }
    }
    for (let k = 0; k < n; k++) value[followers[k]] = Math.log1p(value[followers[k]]);
    this.numFollowers = n;
  }

  /** The transition feature of `item` for the loaded state. */
  transition(item: number): number {
    return this.#transitionMark[item] === this.#stamp ? this.#transition[item] : 0;
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
    out[offset + 4] = this.transition(item);
    out[offset + 5] = c >= 0 ? this.#taste[c] : 0;
    out[offset + 6] = c >= 0 ? this.categoryPopularity[this.#day * this.store.numCategories + c] : 0;
  }

  /** w[offset ..] · the features of `item` for the loaded state, without writing them. */
  dot(item: number, w: ArrayLike<number>, offset: number): number {
    const at = this.#day * this.store.numItems + item;
    const c = this.store.itemCategory[item];
    let s = w[offset] * this.popularityYesterday[at] + w[offset + 1] * this.popularityBefore[at] + w[offset + 4] * this.transition(item);
    if (c >= 0) {
      if (c === this.#previousCategory) s += w[offset + 2];
      s += w[offset + 3] * this.#share[c] + w[offset + 5] * this.#taste[c] + w[offset + 6] * this.categoryPopularity[this.#day * this.store.numCategories + c];
    }
    return s;
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
    const w4 = w[4];
    const w5 = w[5];
    const w6 = w[6];
    const taste = this.#taste;
    const categoryBase = this.#day * this.store.numCategories;
    const categoryPopularity = this.categoryPopularity;
    const mark = this.#transitionMark;
    const transition = this.#transition;
    const stamp = this.#stamp;
    const isMasked = unseenLogit !== undefined;
    for (let u = 0; u < n; u++) {
      const item = items[u];
      const at = offset + u * NUM_CONTEXT_FEATURES;
      const c = itemCategory[item];
      const f0 = yesterday[base + item];
      const f1 = before[base + item];
      const f2 = c >= 0 && c === previous ? 1 : 0;
      const f3 = c >= 0 ? share[c] : 0;
      out[at] = f0;
      out[at + 1] = f1;
      out[at + 2] = f2;
      const f4 = mark[item] === stamp ? transition[item] : 0;
      const f5 = c >= 0 ? taste[c] : 0;
      const f6 = c >= 0 ? categoryPopularity[categoryBase + c] : 0;
      out[at + 3] = f3;
      out[at + 4] = f4;
      out[at + 5] = f5;
      out[at + 6] = f6;
      if (isMasked && f1 === 0) logits[logitOffset + u] = unseenLogit;
      else logits[logitOffset + u] += w0 * f0 + w1 * f1 + w2 * f2 + w3 * f3 + w4 * f4 + w5 * f5 + w6 * f6;
    }
  }

  /**
   * Adds w · features(state, x) to `out[offset + x]` for every item x < `numItems` of the loaded state:
   * the popularity rows of its day, then the category terms over the category lists, then the
   * transition term over the followers.
   */
  addScores(w: ArrayLike<number>, out: Float64Array, offset: number, numItems: number): void {
    const base = this.#day * this.store.numItems;
    const yesterday = this.popularityYesterday;
    const before = this.popularityBefore;
    const w0 = w[0];
    const w1 = w[1];
    const w6 = w[6];
    const itemCategory = this.store.itemCategory;
    const categoryPopularity = this.categoryPopularity;
    const categoryBase = this.#day * this.store.numCategories;
    for (let x = 0; x < numItems; x++) {
      const c = itemCategory[x];
      out[offset + x] += w0 * yesterday[base + x] + w1 * before[base + x] + (c >= 0 ? w6 * categoryPopularity[categoryBase + c] : 0);
    }
    const { categoryStart, categoryItems } = this;
    for (let k = 0; k < this.numCategories; k++) {
      const c = this.categories[k];
      const add = w[3] * this.shares[k] + (c === this.#previousCategory ? w[2] : 0);
      for (let j = categoryStart[c]; j < categoryStart[c + 1]; j++) {
        const x = categoryItems[j];
        if (x < numItems) out[offset + x] += add;
      }
    }
    for (let k = 0; k < this.numTastes; k++) {
      const c = this.tasteCategories[k];
      const add = w[5] * this.tasteValues[k];
      for (let j = categoryStart[c]; j < categoryStart[c + 1]; j++) {
        const x = categoryItems[j];
        if (x < numItems) out[offset + x] += add;
      }
    }
    const w4 = w[4];
    for (let k = 0; k < this.numFollowers; k++) {
      const x = this.followers[k];
      if (x < numItems) out[offset + x] += w4 * this.#transition[x];
    }
  }
}
