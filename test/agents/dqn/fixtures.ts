import { createRng } from '../../../src/core/rng.js';
import { EventStoreBuilder, type EventStore } from '../../../src/data/event-store.js';
import { splitByDay } from '../../../src/data/split.js';
import { StateBatch } from '../../../src/data/state-batch.js';

/** Start of the fixtures' first day (2014-11-18 00:00 UTC). */
export const FIRST_DAY_SECONDS = 1_416_268_800;

/** The item that follows `item` in the identity log: a fixed permutation of 0 .. numItems - 1. */
export function successor(item: number, numItems: number): number {
  return (item * 7 + 3) % numItems;
}

/**
 * An "identity recommender" log: every user's next item is always `successor(previous)`, so a
 * recommender that has learned the map hits every step. Events every 3 hours from the first day,
 * behaviour click with every 5th event a purchase.
 */
export function identityStore(options: { numItems?: number; numUsers?: number; eventsPerUser?: number; seed?: string } = {}): EventStore {
  const numItems = options.numItems ?? 31;
  const numUsers = options.numUsers ?? 60;
  const eventsPerUser = options.eventsPerUser ?? 32;
  const rng = createRng(options.seed ?? 'identity');
  const builder = new EventStoreBuilder({ expectedEvents: numUsers * eventsPerUser, expectedUsers: numUsers, expectedItems: numItems });
  for (let u = 0; u < numUsers; u++) {
    let item = rng.nextInt(numItems);
    for (let k = 0; k < eventsPerUser; k++) {
      builder.append(u + 1, item + 1, (item % 5) + 1, k % 5 === 4 ? 4 : 1, FIRST_DAY_SECONDS + k * 3 * 3600 + u);
      item = successor(item, numItems);
    }
  }
  return builder.build();
}

/** Test-day states of `store` as a batch: every test-day event of a user with an earlier event. */
export function testDayStates(store: EventStore): StateBatch {
  const split = splitByDay(store);
  const users: number[] = [];
  const positions: number[] = [];
  for (let p = 0; p < store.length; p++) {
    if (store.times[p] >= split.test.start && p > store.userOffsets[store.users[p]]) {
      users.push(store.users[p]);
      positions.push(p);
    }
  }
  return StateBatch.before(store, Int32Array.from(users), Int32Array.from(positions));
}

/** Scores of every item for every state of `batch`, once through scoreCandidates (all items as candidates) and once through scoreItems. */
export async function candidateAndItemScores(
  agent: { scoreCandidates(b: StateBatch, c: Int32Array, n: number, out: Float64Array): unknown; scoreItems(b: StateBatch, out: Float64Array): unknown },
  batch: StateBatch,
): Promise<{ viaCandidates: Float64Array; dense: Float64Array }> {
  const n = batch.users.length;
  const N = batch.numItems;
  const all = Int32Array.from({ length: n * N }, (_, k) => k % N);
  const viaCandidates = new Float64Array(n * N);
  await agent.scoreCandidates(batch, all, N, viaCandidates);
  const dense = new Float64Array(n * N);
  await agent.scoreItems(batch, dense);
  return { viaCandidates, dense };
}

/** The item each request of `batch` (built by {@link testDayStates}) is judged on: the user's next event in `store`. */
export function targetItems(store: EventStore, batch: StateBatch): Int32Array {
  return Int32Array.from(batch.users, (u, i) => store.items[store.userOffsets[u] + batch.lengths[i]]);
}
