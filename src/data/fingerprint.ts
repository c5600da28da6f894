import { createHash } from 'node:crypto';
import type { EventStore } from './event-store.js';
import { formatWindow, type TimeWindow } from './split.js';

/** What a checkpoint records of the data it was trained on, so that it can refuse other data. */
export interface DataFingerprint {
  /** Number of items (dense ids 0 .. items - 1). */
  readonly items: number;
  /** SHA-256 (16 hex digits) of the raw item ids in dense-id order: what every item row of a model means. */
  readonly itemIds: string;
  /** The training window [start, end) in unix seconds. */
  readonly train: TimeWindow;
  /** Events in the training window. */
  readonly trainEvents: number;
  /** Hash (16 hex digits) of the training window's events (raw user, item, behaviour, time), independent of their order. */
  readonly trainEventsHash: string;
}

/** The fingerprint of `store` and the training window `train`. */
export function dataFingerprint(store: EventStore, train: TimeWindow): DataFingerprint {
  const raw = store.itemIds.rawIds();
  const itemIds = createHash('sha256').update(new Uint8Array(raw.buffer, raw.byteOffset, raw.byteLength)).digest('hex').slice(0, 16);
  const { count, hash } = windowEvents(store, train);
  return { items: store.numItems, itemIds, train: { start: train.start, end: train.end }, trainEvents: count, trainEventsHash: hash };
}

/**
 * The first thing in which `store` differs from the data `expected` was taken of, as a phrase for an
 * error message ("expected …, actual …"), or undefined when it is the same data.
 */
export function fingerprintDifference(expected: DataFingerprint, store: EventStore): string | undefined {
  if (store.numItems !== expected.items) return `items: expected ${expected.items} (the training data's), actual ${store.numItems}`;
  const actual = dataFingerprint(store, expected.train);
  if (actual.itemIds !== expected.itemIds) {
    return `item ids: expected the training data's (hash ${expected.itemIds}), actual other ids or another order (hash ${actual.itemIds})`;
  }
  const window = `training window ${formatWindow(expected.train)}`;
  if (actual.trainEvents !== expected.trainEvents) return `${window}: expected ${expected.trainEvents} events, actual ${actual.trainEvents}`;
  if (actual.trainEventsHash !== expected.trainEventsHash) {
    return `${window}: expected the training events (hash ${expected.trainEventsHash}), actual other events (hash ${actual.trainEventsHash})`;
  }
  return undefined;
}

/** Count and order-free hash of the events in `window`: two 32-bit sums of per-event mixes. */
function windowEvents(store: EventStore, window: TimeWindow): { count: number; hash: string } {
  const { users, items, behaviors, times } = store;
  const userRaw = store.userIds.rawIds();
  const halves = new Uint32Array(2);
  const asFloat = new Float64Array(halves.buffer);
  let count = 0;
  let a = 0;
  let b = 0;
  for (let i = 0; i < store.length; i++) {
    const t = times[i];
    if (t < window.start || t >= window.end) continue;
    count++;
    asFloat[0] = userRaw[users[i]];
    a = (a + mixEvent(0x9e3779b9, halves[0], halves[1], items[i], behaviors[i], t)) >>> 0;
    b = (b + mixEvent(0x85ebca6b, halves[0], halves[1], items[i], behaviors[i], t)) >>> 0;
  }
  return { count, hash: a.toString(16).padStart(8, '0') + b.toString(16).padStart(8, '0') };
}

/** Murmur3-style 32-bit hash of one event's words (the raw user id's two halves, item, behaviour, time). */
function mixEvent(seed: number, userLow: number, userHigh: number, item: number, behavior: number, time: number): number {
  let h = mixWord(mixWord(mixWord(mixWord(mixWord(seed, userLow), userHigh), item), behavior), time);
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}

function mixWord(h: number, word: number): number {
  let k = Math.imul(word, 0xcc9e2d51);
  k = (k << 15) | (k >>> 17);
  h ^= Math.imul(k, 0x1b873593);
  h = (h << 13) | (h >>> 19);
  return (Math.imul(h, 5) + 0xe6546b64) | 0;
}
