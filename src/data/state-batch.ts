import type { EventStore } from './event-store.js';
import { SessionLog } from './session-log.js';

const SECONDS_PER_HOUR = 3600;

/**
 * Recommendation requests as a recommender may see them. Request `i` is user `users[i]` asking at
 * time `times[i]` (seconds since the Unix epoch, UTC); its history is the user's first `lengths[i]`
 * events of the log, and nothing after them: not the event the request is judged on, not later
 * ones. Events are read back from the latest, `k = 0`; every reader throws a RangeError for
 * `k < 0` (at or past the request) and `k >= lengths[i]` (before the user's first event).
 *
 * The request time is given, never read off the event to predict: where a batch is built from log
 * positions ({@link StateBatch.before}) it is the time of the last visible event, raised to a floor
 * the caller knows (the start of the evaluated window).
 *
 * The events are a store's, or a {@link SessionLog}'s over a store's ids (a simulator's sessions,
 * request `i`'s user then being a row of the log); the ids, catalogue and `readsFrom` are the store's.
 */
export class StateBatch {
  /** Dense user id per request. */
  readonly users: Int32Array;
  /** Number of visible history events per request. */
  readonly lengths: Int32Array;
  /** Request time per request (seconds, UTC). */
  readonly times: Int32Array;
  /** The store whose ids the events use. */
  readonly #store: EventStore;
  /** Where the events are read: the store, or a session log over its ids. */
  readonly #log: EventStore | SessionLog;

  /** Where the events are read: the store, or a session log over its ids. */
  get log(): EventStore | SessionLog {
    return this.#log;
  }

  /** Requests over the users of `log` (a store, or a session log's rows); the arrays are shared, not copied (the env updates them in place between steps). */
  constructor(log: EventStore | SessionLog, users: Int32Array, lengths: Int32Array, times: Int32Array) {
    if (users.length !== lengths.length || users.length !== times.length) {
      throw new RangeError(`expected users, lengths and times of equal length, actual ${users.length}, ${lengths.length} and ${times.length}`);
    }
    this.#log = log;
    this.#store = log instanceof SessionLog ? log.store : log;
    this.users = users;
    this.lengths = lengths;
    this.times = times;
  }

  /**
   * The requests that come just before store positions `ends` (one per user in `users`, in that
   * user's range): history = the user's events before the position, request time = the last of
   * them, at least `floorTime` (`-Infinity` for none; a user without history gets `floorTime`, or 0).
   */
  static before(store: EventStore, users: Int32Array, ends: Int32Array, floorTime = Number.NEGATIVE_INFINITY): StateBatch {
    if (users.length !== ends.length) throw new RangeError(`expected users and ends of equal length, actual ${users.length} and ${ends.length}`);
    const lengths = new Int32Array(users.length);
    const times = new Int32Array(users.length);
    writeRequests(store, users, ends, floorTime, 0, users.length, lengths, times);
    return new StateBatch(store, users, lengths, times);
  }

  /** Number of requests. */
  get size(): number {
    return this.users.length;
  }

  /** Items in the log's id space (the catalogue's metadata is not part of the answer). */
  get numItems(): number {
    return this.#store.numItems;
  }

  get numCategories(): number {
    return this.#store.numCategories;
  }

  /** Category per item id (-1 for none). */
  get itemCategory(): Int32Array {
    return this.#store.itemCategory;
  }

  /** True when the requests read `store`, or sessions over its ids (agents check that they score the log they were fitted on). */
  readsFrom(store: EventStore): boolean {
    return this.#store === store;
  }

  /** Item of request `i`'s event `k` back (0 = the latest visible). */
  item(i: number, k: number): number {
    return this.#log.items[this.#at(i, k)];
  }

  /** Behaviour (1 click .. 4 purchase) of request `i`'s event `k` back. */
  behavior(i: number, k: number): number {
    return this.#log.behaviors[this.#at(i, k)];
  }

  /** Category of request `i`'s event `k` back. */
  category(i: number, k: number): number {
    return this.#log.categories[this.#at(i, k)];
  }

  /** Time (seconds, UTC) of request `i`'s event `k` back. */
  time(i: number, k: number): number {
    return this.#log.times[this.#at(i, k)];
  }

  /** UTC hour of day (0..23) of request `i`'s event `k` back. */
  hour(i: number, k: number): number {
    const t = this.#log.times[this.#at(i, k)];
    return ((Math.floor(t / SECONDS_PER_HOUR) % 24) + 24) % 24;
  }

  /** Requests `from .. to - 1` as a batch (views, no copy). */
  subarray(from: number, to: number): StateBatch {
    return new StateBatch(this.#log, this.users.subarray(from, to), this.lengths.subarray(from, to), this.times.subarray(from, to));
  }

  /** Requests at `indices`, copied. */
  select(indices: ArrayLike<number>): StateBatch {
    const n = indices.length;
    const users = new Int32Array(n);
    const lengths = new Int32Array(n);
    const times = new Int32Array(n);
    for (let j = 0; j < n; j++) {
      const i = indices[j];
      users[j] = this.users[i];
      lengths[j] = this.lengths[i];
      times[j] = this.times[i];
    }
    return new StateBatch(this.#log, users, lengths, times);
  }

  /** Throws unless every request names a user of the log and a history within that user's events. */
  check(): void {
    const { numUsers, userOffsets } = this.#log;
    for (let i = 0; i < this.users.length; i++) {
      const u = this.users[i];
      const n = this.lengths[i];
      if (!(u >= 0 && u < numUsers) || !(n >= 0 && n <= userOffsets[u + 1] - userOffsets[u])) {
        throw new RangeError(`expected request ${i} to name a user of the log and at most that user's events, actual user ${u} with ${n} events`);
      }
    }
  }

  #at(i: number, k: number): number {
    const n = this.lengths[i];
    if (!(k >= 0 && k < n)) {
      throw new RangeError(
        k < 0
          ? `request ${i}: event ${k} back is at or past the request; only its ${n} earlier events are visible`
          : `request ${i}: event ${k} back is before the user's first event (${n} visible)`,
      );
    }
    return this.#log.userOffsets[this.users[i]] + n - 1 - k;
  }
}

/**
 * Writes the history length and request time of requests `from .. to - 1` (see {@link StateBatch.before})
 * into `lengths` and `times` at the same indices.
 */
export function writeRequests(
  store: EventStore,
  users: ArrayLike<number>,
  ends: ArrayLike<number>,
  floorTime: number,
  from: number,
  to: number,
  lengths: Int32Array,
  times: Int32Array,
): void {
  const { userOffsets, times: eventTimes } = store;
  for (let i = from; i < to; i++) {
    const start = userOffsets[users[i]];
    const end = ends[i];
    lengths[i] = end - start;
    times[i] = requestTime(eventTimes, start, end, floorTime);
  }
}

/**
 * The time of a request whose history is the events `start .. end - 1` (of `eventTimes`): the last
 * of them, at least `floorTime`; without history `floorTime`, or 0 when it is not finite.
 */
export function requestTime(eventTimes: Int32Array, start: number, end: number, floorTime: number): number {
  if (end > start) return Math.max(eventTimes[end - 1], floorTime);
  return Number.isFinite(floorTime) ? floorTime : 0;
}
