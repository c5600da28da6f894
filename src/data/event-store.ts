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
    const numUsers = init.userIds.size;
    const offsets = new Int32Array(numUsers + 1);
    for (let i = 0; i < this.length; i++) offsets[this.users[i] + 1]++;
    for (let u = 0; u < numUsers; u++) offsets[u + 1] += offsets[u];
    this.userOffsets = offsets;
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

/**
 * Collects events in file order into growable columns and builds an {@link EventStore}.
 * `build()` sorts by (user, time, file order) with radix and counting sorts: O(events), stable.
 */
export class EventStoreBuilder implements EventSink {
  readonly userIds: IdMap;
  readonly itemIds: IdMap;
  readonly categoryIds: IdMap;
  #length = 0;
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
    this.userIds = new IdMap(options.expectedUsers ?? 1024);
    this.itemIds = new IdMap(options.expectedItems ?? 4096);
    this.categoryIds = new IdMap(256);
  }

  /** Number of events appended so far. */
  get length(): number {
    return this.#length;
  }

  append(user: number, item: number, category: number, behavior: BehaviorCode, time: number): void {
    const i = this.#length;
    if (i === this.#users.length) this.#grow();
    this.#users[i] = this.userIds.getOrAdd(user);
    this.#items[i] = this.itemIds.getOrAdd(item);
    this.#categories[i] = this.categoryIds.getOrAdd(category);
    this.#behaviors[i] = behavior;
    this.#times[i] = time;
    this.#length = i + 1;
  }

  /** Sorts and returns the store; the builder cannot be used afterwards. */
  build(): EventStore {
    if (this.#built) throw new RecGymError(ErrorCode.BAD_OPTION, 'EventStoreBuilder.build() was already called');
    this.#built = true;
    const n = this.#length;
    const order = sortOrder(this.#users.subarray(0, n), this.#times.subarray(0, n), this.userIds.size);
    // One column at a time, each source dropped once copied, so the peak holds one spare column.
    const users = gather(this.#users, order, new Int32Array(n));
    this.#users = EMPTY_INT32;
    const items = gather(this.#items, order, new Int32Array(n));
    this.#items = EMPTY_INT32;
    const categories = gather(this.#categories, order, new Int32Array(n));
    this.#categories = EMPTY_INT32;
    const times = gather(this.#times, order, new Int32Array(n));
    this.#times = EMPTY_INT32;
    const behaviors = gather(this.#behaviors, order, new Uint8Array(n));
    this.#behaviors = new Uint8Array(0);
    this.userIds.trim();
    this.itemIds.trim();
    this.categoryIds.trim();
    const store = new EventStore({
      users,
      items,
      categories,
      behaviors,
      times,
      userIds: this.userIds,
      itemIds: this.itemIds,
      categoryIds: this.categoryIds,
    });
    return store;
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

const EMPTY_INT32 = new Int32Array(0);

function resized(array: Int32Array, capacity: number): Int32Array {
  const grown = new Int32Array(capacity);
  grown.set(array);
  return grown;
}

function gather<T extends Int32Array | Uint8Array>(source: T, order: Int32Array, out: T): T {
  for (let i = 0; i < order.length; i++) out[i] = source[order[i]];
  return out;
}

/**
 * Stable order by (user, time, index): two 16-bit LSD passes on time, then a counting pass on user.
 * The time passes are skipped when every user's events already come in time order (logs written
 * user by user, such as UserBehavior's and the generator's).
 */
function sortOrder(users: Int32Array, times: Int32Array, numUsers: number): Int32Array {
  const n = users.length;
  const isTimeOrderedPerUser = isOrderedWithinUsers(users, times, numUsers);
  let minTime = Infinity;
  let maxTime = -Infinity;
  for (let i = 0; i < n; i++) {
    const t = times[i];
    if (t < minTime) minTime = t;
    if (t > maxTime) maxTime = t;
  }
  let order = new Int32Array(n);
  for (let i = 0; i < n; i++) order[i] = i;
  if (n === 0) return order;
  let scratch = new Int32Array(n);
  const span = maxTime - minTime;
  const counts = new Int32Array(65_537);
  for (let shift = 0; !isTimeOrderedPerUser && shift < 32 && span >>> shift > 0; shift += 16) {
    counts.fill(0);
    for (let i = 0; i < n; i++) counts[(((times[i] - minTime) >>> shift) & 0xffff) + 1]++;
    for (let b = 0; b < 65_536; b++) counts[b + 1] += counts[b];
    for (let i = 0; i < n; i++) {
      const index = order[i];
      scratch[counts[((times[index] - minTime) >>> shift) & 0xffff]++] = index;
    }
    [order, scratch] = [scratch, order];
  }
  const userCounts = new Int32Array(numUsers + 1);
  for (let i = 0; i < n; i++) userCounts[users[i] + 1]++;
  for (let u = 0; u < numUsers; u++) userCounts[u + 1] += userCounts[u];
  for (let i = 0; i < n; i++) {
    const index = order[i];
    scratch[userCounts[users[index]]++] = index;
  }
  return scratch;
}

function isOrderedWithinUsers(users: Int32Array, times: Int32Array, numUsers: number): boolean {
  const last = new Int32Array(numUsers).fill(-0x80000000);
  for (let i = 0; i < users.length; i++) {
    const u = users[i];
    const t = times[i];
    if (t < last[u]) return false;
    last[u] = t;
  }
  return true;
}
