import { RecGymError, ErrorCode } from '../core/errors.js';
import type { BehaviorCode } from './behavior.js';
import { IdMap } from './id-map.js';

/** Seconds in a day; days are UTC calendar days of the event time. */
export const SECONDS_PER_DAY = 86_400;

/** Something that accepts events one at a time: the store builder, a CSV writer, a counter. */
export interface EventSink {
  /** Adds one event; ids are raw (as in the log), `time` is unix seconds (UTC). */
  append(user: number, item: number, category: number, behavior: BehaviorCode, time: number): void;
}

/**
 * Logged events on typed arrays, one column per field, ordered by user, then time, then file order.
 * Ids are dense (0-based, in order of first appearance in the file); `userIds`, `itemIds` and
 * `categoryIds` map them back to the log's raw ids. Events of user `u` occupy positions
 * `userOffsets[u]` (inclusive) to `userOffsets[u + 1]` (exclusive).
 */
export class EventStore {
  /** Number of events. */
  readonly length: number;
  /** Dense user id per event. */
  readonly users: Int32Array;
  /** Dense item id per event. */
  readonly items: Int32Array;
  /** Dense category id per event. */
  readonly categories: Int32Array;
  /** Behaviour code (1..4) per event. */
  readonly behaviors: Uint8Array;
  /** Unix seconds (UTC) per event. */
  readonly times: Int32Array;
  /** Start position of each user's events, plus the total at the end (length numUsers + 1). */
  readonly userOffsets: Int32Array;
  /** Category of each item's first event (length numItems). */
  readonly itemCategory: Int32Array;
  readonly userIds: IdMap;
  readonly itemIds: IdMap;
  readonly categoryIds: IdMap;
  /** Earliest and latest event time (unix seconds); 0 for an empty store. */
  readonly minTime: number;
  readonly maxTime: number;

  /** Use {@link EventStoreBuilder}; the columns must already be in store order. */
  constructor(init: {
    users: Int32Array;
    items: Int32Array;
    categories: Int32Array;
    behaviors: Uint8Array;
    times: Int32Array;
    userIds: IdMap;
    itemIds: IdMap;
    categoryIds: IdMap;
    /** The start of each user's events and the total (counted from `users` when absent). */
    userOffsets?: Int32Array;
  }) {
    this.length = init.users.length;
    this.users = init.users;
    this.items = init.items;
    this.categories = init.categories;
    this.behaviors = init.behaviors;
    this.times = init.times;
    this.userIds = init.userIds;
    this.itemIds = init.itemIds;
    this.categoryIds = init.categoryIds;
    this.userOffsets = init.userOffsets ?? countUserOffsets(init.users, init.userIds.size);
    const itemCategory = new Int32Array(init.itemIds.size).fill(-1);
    let minTime = this.length > 0 ? Infinity : 0;
    let maxTime = this.length > 0 ? -Infinity : 0;
    for (let i = 0; i < this.length; i++) {
      const item = this.items[i];
      if (itemCategory[item] === -1) itemCategory[item] = this.categories[i];
      const t = this.times[i];
      if (t < minTime) minTime = t;
      if (t > maxTime) maxTime = t;
    }
    this.itemCategory = itemCategory;
    this.minTime = minTime;
    this.maxTime = maxTime;
  }

  get numUsers(): number {
    return this.userIds.size;
  }

  get numItems(): number {
    return this.itemIds.size;
  }

  get numCategories(): number {
    return this.categoryIds.size;
  }

  /** UTC day number (days since 1970-01-01) of the event at `position`. */
  dayAt(position: number): number {
    return Math.floor(this.times[position] / SECONDS_PER_DAY);
  }

  /** UTC hour of day (0..23) of the event at `position`. */
  hourAt(position: number): number {
    return Math.floor(this.times[position] / 3600) % 24;
  }
}

/** A store as plain typed arrays (structured-clone friendly): what another thread needs to rebuild it. */
export interface StoreColumns {
  readonly users: Int32Array;
  readonly items: Int32Array;
  readonly categories: Int32Array;
  readonly behaviors: Uint8Array;
  readonly times: Int32Array;
  /** Raw ids in dense-id order. */
  readonly userIds: Float64Array;
  readonly itemIds: Float64Array;
  readonly categoryIds: Float64Array;
}

/** The columns and raw ids of `store` (copies of the id lists; the event columns are the store's own). */
export function storeColumns(store: EventStore): StoreColumns {
  const { users, items, categories, behaviors, times } = store;
  return { users, items, categories, behaviors, times, userIds: store.userIds.rawIds(), itemIds: store.itemIds.rawIds(), categoryIds: store.categoryIds.rawIds() };
}

/** The store `storeColumns` described, with the same dense ids. */
export function storeFromColumns(columns: StoreColumns): EventStore {
  const idMap = (raws: Float64Array): IdMap => {
    const map = new IdMap(raws.length);
    for (let i = 0; i < raws.length; i++) map.getOrAdd(raws[i]);
    return map;
  };
  const { users, items, categories, behaviors, times } = columns;
  return new EventStore({ users, items, categories, behaviors, times, userIds: idMap(columns.userIds), itemIds: idMap(columns.itemIds), categoryIds: idMap(columns.categoryIds) });
}

/**
 * Collects events in file order into growable columns and builds an {@link EventStore}.
 * While ids are integers below 2^32 (as in every log format we read), rows keep their raw ids in
 * the id columns (as int32 bits) and the dense ids are looked up later, one map at a time over all
 * pending rows: a loop that only does lookups in one table keeps several cache misses in flight and
 * that table in cache, which lookups interleaved with row parsing do not. Each map gives ids in
 * order of first appearance, so mapping column by column gives the same ids as row by row; a row
 * with any other id maps the pending rows, then its own ids at once. `build()` groups events by
 * user with a counting sort, one column at a time, then sorts each user's events by (time, file
 * order): O(events), stable.
 */
export class EventStoreBuilder implements EventSink {
  readonly #userIds: IdMap;
  readonly #itemIds: IdMap;
  readonly #categoryIds: IdMap;
  /** Rows appended. */
  #length = 0;
  /** Rows whose id columns hold dense ids; rows #mapped .. #length - 1 hold raw ids (uint32 bits). */
  #mapped = 0;
  #users: Int32Array;
  #items: Int32Array;
  #categories: Int32Array;
  #behaviors: Uint8Array;
  #times: Int32Array;
  #built = false;

  constructor(options: { expectedEvents?: number; expectedUsers?: number; expectedItems?: number } = {}) {
    const capacity = Math.max(1024, options.expectedEvents ?? 0);
    this.#users = new Int32Array(capacity);
    this.#items = new Int32Array(capacity);
    this.#categories = new Int32Array(capacity);
    this.#behaviors = new Uint8Array(capacity);
    this.#times = new Int32Array(capacity);
    this.#userIds = new IdMap(options.expectedUsers ?? 1024);
    this.#itemIds = new IdMap(options.expectedItems ?? 4096);
    this.#categoryIds = new IdMap(256);
  }

  /** Dense user ids of the events appended so far. */
  get userIds(): IdMap {
    this.#mapIds();
    return this.#userIds;
  }

  /** Dense item ids of the events appended so far. */
  get itemIds(): IdMap {
    this.#mapIds();
    return this.#itemIds;
  }

  /** Dense category ids of the events appended so far. */
  get categoryIds(): IdMap {
    this.#mapIds();
    return this.#categoryIds;
  }

  /** Number of events appended so far. */
  get length(): number {
    return this.#length;
  }

  append(user: number, item: number, category: number, behavior: BehaviorCode, time: number): void {
    const i = this.#length;
    if (i === this.#users.length) this.#grow();
    if (isUint32(user) && isUint32(item) && isUint32(category)) {
      this.#users[i] = user;
      this.#items[i] = item;
      this.#categories[i] = category;
    } else {
      this.#mapIds();
      this.#users[i] = this.#userIds.getOrAdd(user);
      this.#items[i] = this.#itemIds.getOrAdd(item);
      this.#categories[i] = this.#categoryIds.getOrAdd(category);
      this.#mapped = i + 1;
    }
    this.#behaviors[i] = behavior;
    this.#times[i] = time;
    this.#length = i + 1;
  }

  /** Sorts and returns the store; the builder cannot be used afterwards. */
  build(): EventStore {
    if (this.#built) throw new RecGymError(ErrorCode.BAD_OPTION, 'EventStoreBuilder.build() was already called');
    this.#built = true;
    this.#mapIds();
    const n = this.#length;
    const numUsers = this.#userIds.size;
    const rawUsers = this.#users;
    const userOffsets = countUserOffsets(rawUsers.subarray(0, n), numUsers);
    // Columns stay on their buffers (the pages past n were never touched, so hold no memory).
    // Grouping by user fills one new column, then each source's buffer takes the next column.
    const users = rawUsers.subarray(0, n);
    let items = this.#items.subarray(0, n);
    let categories = this.#categories.subarray(0, n);
    let times = this.#times.subarray(0, n);
    let behaviors = this.#behaviors.subarray(0, n);
    if (!isGroupedByUser(users)) {
      const groupedItems = groupByUser(items, users, userOffsets, new Int32Array(n));
      const groupedCategories = groupByUser(categories, users, userOffsets, items); // into items' old buffer
      const groupedTimes = groupByUser(times, users, userOffsets, categories); // into categories' old buffer
      items = groupedItems;
      categories = groupedCategories;
      times = groupedTimes;
      behaviors = groupByUser(behaviors, users, userOffsets, new Uint8Array(n));
      for (let u = 0; u < numUsers; u++) users.fill(u, userOffsets[u], userOffsets[u + 1]);
    }
    this.#users = this.#items = this.#categories = this.#times = EMPTY_INT32;
    this.#behaviors = EMPTY_UINT8;
    sortUsersByTime(userOffsets, times, items, categories, behaviors);
    this.#userIds.trim();
    this.#itemIds.trim();
    this.#categoryIds.trim();
    return new EventStore({
      users,
      items,
      categories,
      behaviors,
      times,
      userIds: this.#userIds,
      itemIds: this.#itemIds,
      categoryIds: this.#categoryIds,
      userOffsets,
    });
  }

  /** Replaces the raw ids of the pending rows by dense ids, one map at a time. */
  #mapIds(): void {
    const start = this.#mapped;
    const end = this.#length;
    if (start === end) return;
    mapIds(this.#userIds, this.#users, start, end);
    mapIds(this.#itemIds, this.#items, start, end);
    mapIds(this.#categoryIds, this.#categories, start, end);
    this.#mapped = end;
  }

  #grow(): void {
    const capacity = this.#users.length * 2;
    this.#users = resized(this.#users, capacity);
    this.#items = resized(this.#items, capacity);
    this.#categories = resized(this.#categories, capacity);
    this.#times = resized(this.#times, capacity);
    const behaviors = new Uint8Array(capacity);
    behaviors.set(this.#behaviors);
    this.#behaviors = behaviors;
  }
}

/** Start of each user's events (dense users 0 .. numUsers - 1, events grouped by user) and the total. */
function countUserOffsets(users: Int32Array, numUsers: number): Int32Array {
  const offsets = new Int32Array(numUsers + 1);
  for (let i = 0; i < users.length; i++) offsets[users[i] + 1]++;
  for (let u = 0; u < numUsers; u++) offsets[u + 1] += offsets[u];
  return offsets;
}

const EMPTY_INT32 = new Int32Array(0);
const EMPTY_UINT8 = new Uint8Array(0);

function resized(array: Int32Array, capacity: number): Int32Array {
  const grown = new Int32Array(capacity);
  grown.set(array);
  return grown;
}

/** An integer in [0, 2^32) other than -0 (which the id maps keep as it came), so that its int32 bits give it back. */
function isUint32(id: number): boolean {
  return id >>> 0 === id && (id !== 0 || 1 / id > 0);
}

/** column[start, end) from raw ids (uint32 bits) to dense ids of `map`. */
function mapIds(map: IdMap, column: Int32Array, start: number, end: number): void {
  for (let i = start; i < end; i++) column[i] = map.getOrAdd(column[i] >>> 0);
}

/** True when each user's events are contiguous (dense ids count up from 0 in order of first appearance). */
function isGroupedByUser(users: Int32Array): boolean {
  for (let i = 1; i < users.length; i++) if (users[i] < users[i - 1]) return false;
  return true;
}

/**
 * Writes `source` into `out` (same length) reordered by user, file order kept within each user:
 * a stable counting sort that reads in file order and writes into one run per user.
 */
function groupByUser<T extends Int32Array | Uint8Array>(source: T, users: Int32Array, userOffsets: Int32Array, out: T): T {
  const cursor = userOffsets.slice(0, userOffsets.length - 1);
  for (let i = 0; i < source.length; i++) out[cursor[users[i]]++] = source[i];
  return out;
}

/** Runs up to this length sort by insertion; longer ones by radix. */
const INSERTION_SORT_MAX = 24;
/** Radix digit of the per-user time sort. */
const DIGIT_BITS = 8;
const DIGIT_MASK = (1 << DIGIT_BITS) - 1;

/**
 * Sorts each user's run `userOffsets[u] .. userOffsets[u + 1] - 1` by (time, position), moving
 * the other columns along; runs already in time order are left as they are. A run sorts on keys
 * (time - the run's earliest) / step, where the step is the largest one dividing the run's offsets
 * (tried from the previous run first: 3,600 for logs of whole hours, which leaves 10-bit keys for a
 * month); by insertion when short, else by LSD radix on 8-bit digits (both stable). The scratch
 * arrays grow to the longest unordered run.
 */
export function sortUsersByTime(
  userOffsets: Int32Array,
  times: Int32Array,
  items: Int32Array,
  categories: Int32Array,
  behaviors: Uint8Array,
): void {
  let keys = new Uint32Array(0);
  let order = new Int32Array(0);
  let other = new Int32Array(0);
  const counts = new Int32Array(DIGIT_MASK + 2);
  let lastStep = 0;
  for (let u = 0; u + 1 < userOffsets.length; u++) {
    const start = userOffsets[u];
    const end = userOffsets[u + 1];
    let p = start + 1;
    while (p < end && times[p] >= times[p - 1]) p++;
    if (p >= end) continue;
    const length = end - start;
    if (order.length < length) {
      keys = new Uint32Array(length);
      order = new Int32Array(length);
      other = new Int32Array(length);
    }
    let minTime = times[start];
    let maxTime = minTime;
    for (let q = start + 1; q < end; q++) {
      const t = times[q];
      if (t < minTime) minTime = t;
      if (t > maxTime) maxTime = t;
    }
    let step = lastStep;
    let isStep = step > 1;
    for (let j = 0; isStep && j < length; j++) {
      const key = (times[start + j] - minTime) / step;
      isStep = key === Math.floor(key);
      keys[j] = key;
    }
    if (!isStep) {
      for (let j = 0; j < length; j++) keys[j] = times[start + j] - minTime;
      step = commonStep(keys, length);
      if (step > 1) for (let j = 0; j < length; j++) keys[j] /= step;
      lastStep = step;
    }
    for (let j = 0; j < length; j++) order[j] = j;
    if (length <= INSERTION_SORT_MAX) {
      insertionSort(keys, order, length);
    } else {
      const span = (maxTime - minTime) / step;
      for (let shift = 0; shift < 32 && span >>> shift > 0; shift += DIGIT_BITS) {
        radixPass(keys, order, other, length, shift, counts);
        const sorted = other;
        other = order;
        order = sorted;
      }
    }
    for (let j = 0; j < length; j++) times[start + j] = keys[order[j]] * step + minTime;
    permuteRun(items, start, length, order, other);
    permuteRun(categories, start, length, order, other);
    permuteRun(behaviors, start, length, order, other);
  }
}

/** The largest integer dividing keys[0, length), not all 0; stops early at 1. */
function commonStep(keys: Uint32Array, length: number): number {
  let step = 0;
  for (let j = 0; j < length && step !== 1; j++) {
    let a = keys[j];
    let b = step;
    while (b !== 0) {
      const r = a % b;
      a = b;
      b = r;
    }
    step = a;
  }
  return step;
}

/** Sorts order[0, length) by keys[order[j]], stably (order starts as 0, 1, …). */
function insertionSort(keys: Uint32Array, order: Int32Array, length: number): void {
  for (let j = 1; j < length; j++) {
    const key = keys[j];
    let q = j - 1;
    while (q >= 0 && keys[order[q]] > key) {
      order[q + 1] = order[q];
      q--;
    }
    order[q + 1] = j;
  }
}

/** One stable counting pass on the digit of keys at `shift`: order[0, length) -> out. */
function radixPass(keys: Uint32Array, order: Int32Array, out: Int32Array, length: number, shift: number, counts: Int32Array): void {
  counts.fill(0);
  for (let j = 0; j < length; j++) counts[((keys[j] >>> shift) & DIGIT_MASK) + 1]++;
  for (let d = 0; d <= DIGIT_MASK; d++) counts[d + 1] += counts[d];
  for (let j = 0; j < length; j++) {
    const index = order[j];
    out[counts[(keys[index] >>> shift) & DIGIT_MASK]++] = index;
  }
}

/** column[start + j] = old column[start + order[j]] for j < length, through `scratch`. */
function permuteRun(column: Int32Array | Uint8Array, start: number, length: number, order: Int32Array, scratch: Int32Array): void {
  for (let j = 0; j < length; j++) scratch[j] = column[start + order[j]];
  column.set(scratch.subarray(0, length), start);
}
