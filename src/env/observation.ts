import type { EventStore } from '../data/event-store.js';
import type { StateBatch } from '../data/state-batch.js';
import { Box } from './spaces/box.js';
import { Dict } from './spaces/dict.js';

/**
 * What the replay env shows: the user's last L events before the target (right-aligned, oldest
 * first, padded with -1 on the left; `mask` 1 where an event is present) and, in candidates
 * mode, the C candidate items.
 */
export interface ReplayObservation {
  readonly items: Int32Array;
  readonly behaviors: Int8Array;
  readonly hours: Int8Array;
  readonly categories: Int32Array;
  readonly mask: Uint8Array;
  readonly candidates?: Int32Array;
}

/** The observation space of the replay env: a Dict of integer Boxes. */
export type ReplayObservationSpace = Dict<{
  items: Box<'int32'>;
  behaviors: Box<'int8'>;
  hours: Box<'int8'>;
  categories: Box<'int32'>;
  mask: Box<'uint8'>;
  candidates?: Box<'int32'>;
}>;

/** Builds the observation space; `numCandidates` undefined means slate mode (no candidates). */
export function createObservationSpace(options: {
  numItems: number;
  numCategories: number;
  historyLength: number;
  numCandidates?: number;
}): ReplayObservationSpace {
  const { numItems, numCategories, historyLength: L, numCandidates } = options;
  const spaces: Record<string, Box> = {
    items: new Box({ low: -1, high: numItems - 1, shape: [L], dtype: 'int32' }),
    behaviors: new Box({ low: -1, high: 4, shape: [L], dtype: 'int8' }),
    hours: new Box({ low: -1, high: 23, shape: [L], dtype: 'int8' }),
    categories: new Box({ low: -1, high: numCategories - 1, shape: [L], dtype: 'int32' }),
    mask: new Box({ low: 0, high: 1, shape: [L], dtype: 'uint8' }),
  };
  if (numCandidates !== undefined) {
    spaces.candidates = new Box({ low: 0, high: numItems - 1, shape: [numCandidates], dtype: 'int32' });
  }
  return new Dict(spaces) as unknown as ReplayObservationSpace;
}

const HOURS = new WeakMap<EventStore, Int8Array>();

/** Hour of day (0..23, UTC) of every event of the store, computed once per store. */
export function hoursOf(store: EventStore): Int8Array {
  let hours = HOURS.get(store);
  if (!hours) {
    hours = new Int8Array(store.length);
    const times = store.times;
    for (let p = 0; p < hours.length; p++) hours[p] = ((Math.floor(times[p] / 3600) % 24) + 24) % 24;
    HOURS.set(store, hours);
  }
  return hours;
}

/**
 * A batch of observations, slot `i` at `[i * L, (i + 1) * L)` of the history columns and
 * `[i * C, (i + 1) * C)` of `candidates` (empty in slate mode). `states` is the same batch as
 * requests, for agents that need more than L events: slot i's user `users[i]`, the number of their
 * events before the request `lengths[i]` and the request time `times[i]`, read through a
 * {@link StateBatch} that stops at the request. In `finalObservations` the history runs to the
 * episode's last event.
 */
export interface VectorObservation {
  readonly items: Int32Array;
  readonly behaviors: Int8Array;
  readonly hours: Int8Array;
  readonly categories: Int32Array;
  readonly mask: Uint8Array;
  readonly candidates: Int32Array;
  readonly users: Int32Array;
  readonly lengths: Int32Array;
  readonly times: Int32Array;
  /** Views `users`, `lengths` and `times` (updated in place with them). */
  readonly states: StateBatch;
}

/** The typed arrays of a batch of observations (everything but the `states` view over three of them). */
export function observationArrays(batch: VectorObservation): (Int32Array | Int8Array | Uint8Array)[] {
  const { items, behaviors, hours, categories, mask, candidates, users, lengths, times } = batch;
  return [items, behaviors, hours, categories, mask, candidates, users, lengths, times];
}

/**
 * Allocates a batch of `numSlots` observations (C = 0 in slate mode); `statesOver` makes the
 * dynamics' view of requests over the batch's `users`, `lengths` and `times`.
 */
export function createVectorObservation(
  numSlots: number,
  historyLength: number,
  numCandidates: number,
  statesOver: (users: Int32Array, lengths: Int32Array, times: Int32Array) => StateBatch,
): VectorObservation {
  const n = numSlots * historyLength;
  const users = new Int32Array(numSlots);
  const lengths = new Int32Array(numSlots);
  const times = new Int32Array(numSlots);
  return {
    items: new Int32Array(n),
    behaviors: new Int8Array(n),
    hours: new Int8Array(n),
    categories: new Int32Array(n),
    mask: new Uint8Array(n),
    candidates: new Int32Array(numSlots * numCandidates),
    users,
    lengths,
    times,
    states: statesOver(users, lengths, times),
  };
}

/** Slot `slot` of a batch as a single observation (copies; no `candidates` when C is 0, slate mode). */
export function observationAt(batch: VectorObservation, slot: number, historyLength: number, numCandidates: number): ReplayObservation {
  const from = slot * historyLength;
  const to = from + historyLength;
  const items = batch.items.slice(from, to);
  const behaviors = batch.behaviors.slice(from, to);
  const hours = batch.hours.slice(from, to);
  const categories = batch.categories.slice(from, to);
  const mask = batch.mask.slice(from, to);
  if (numCandidates === 0) return { items, behaviors, hours, categories, mask };
  const candidates = batch.candidates.slice(slot * numCandidates, (slot + 1) * numCandidates);
  return { items, behaviors, hours, categories, mask, candidates };
}

/** Allocates an empty observation (all padding). */
export function createObservation(historyLength: number, numCandidates?: number): ReplayObservation {
  const observation = {
    items: new Int32Array(historyLength).fill(-1),
    behaviors: new Int8Array(historyLength).fill(-1),
    hours: new Int8Array(historyLength).fill(-1),
    categories: new Int32Array(historyLength).fill(-1),
    mask: new Uint8Array(historyLength),
  };
  return numCandidates === undefined ? observation : { ...observation, candidates: new Int32Array(numCandidates) };
}

/**
 * Writes the history window of the events at store positions `[from, to)` of one user (of a store or
 * a session log), keeping the
 * last `length` of them, right-aligned at `offset .. offset + length` of the batch columns.
 */
export function writeHistory(
  store: Pick<EventStore, 'items' | 'behaviors' | 'categories'>,
  hours: Int8Array,
  from: number,
  to: number,
  length: number,
  out: { items: Int32Array; behaviors: Int8Array; hours: Int8Array; categories: Int32Array; mask: Uint8Array },
  offset: number,
): void {
  const storeItems = store.items;
  const storeBehaviors = store.behaviors;
  const storeCategories = store.categories;
  const outItems = out.items;
  const outBehaviors = out.behaviors;
  const outHours = out.hours;
  const outCategories = out.categories;
  const outMask = out.mask;
  const count = Math.min(to - from, length);
  const pad = length - count;
  let o = offset;
  for (let j = 0; j < pad; j++, o++) {
    outItems[o] = -1;
    outBehaviors[o] = -1;
    outHours[o] = -1;
    outCategories[o] = -1;
    outMask[o] = 0;
  }
  for (let p = to - count; p < to; p++, o++) {
    outItems[o] = storeItems[p];
    outBehaviors[o] = storeBehaviors[p];
    outHours[o] = hours[p];
    outCategories[o] = storeCategories[p];
    outMask[o] = 1;
  }
}
