import { describe, expect, it } from 'vitest';
import { EventStoreBuilder } from '../../src/data/event-store.js';
import { StateBatch } from '../../src/data/state-batch.js';
import { buildTestCases } from '../../src/eval/test-cases.js';
import { splitByDay } from '../../src/data/split.js';
import { makeVectorEnv } from '../../src/env/registry.js';
import { tinyStore } from '../env/fixtures.js';

const T0 = Date.UTC(2014, 11, 16) / 1000;
const hour = (h: number) => T0 + h * 3600;

/** User 1: items 10, 20, 30 at hours 1, 2, 5; user 2: item 40 at hour 3. */
function store() {
  const b = new EventStoreBuilder();
  b.append(1, 10, 7, 1, hour(1));
  b.append(1, 20, 7, 3, hour(2));
  b.append(1, 30, 8, 4, hour(5));
  b.append(2, 40, 8, 2, hour(3));
  return b.build();
}

describe('StateBatch', () => {
  const s = store();
  const [u1, u2] = [1, 2].map((raw) => s.userIds.get(raw));
  const item = (raw: number) => s.itemIds.get(raw);

  it('reads the history back from the latest event and throws at or past the request', () => {
    // The request before user 1's third event (item 30): two events visible.
    const batch = StateBatch.before(s, Int32Array.of(u1), Int32Array.of(s.userOffsets[u1] + 2));
    expect(batch.lengths[0]).toBe(2);
    expect([batch.item(0, 0), batch.item(0, 1)]).toEqual([item(20), item(10)]);
    expect([batch.behavior(0, 0), batch.hour(0, 0), batch.time(0, 1)]).toEqual([3, 2, hour(1)]);
    // The event the request is judged on, and anything later, is out of reach.
    expect(() => batch.item(0, -1)).toThrow(/at or past the request/);
    expect(() => batch.category(0, -2)).toThrow(RangeError);
    expect(() => batch.item(0, 2)).toThrow(/before the user's first event/);
  });

  it("asks at the last visible event's time, never the next event's, raised to the caller's floor", () => {
    const ends = Int32Array.of(s.userOffsets[u1] + 2, s.userOffsets[u2]);
    const plain = StateBatch.before(s, Int32Array.of(u1, u2), ends);
    expect(Array.from(plain.times)).toEqual([hour(2), 0]);
    const floored = StateBatch.before(s, Int32Array.of(u1, u2), ends, hour(4));
    expect(Array.from(floored.times)).toEqual([hour(4), hour(4)]);
    expect(Array.from(StateBatch.before(s, Int32Array.of(u1), ends.subarray(0, 1), hour(0)).times)).toEqual([hour(2)]);
  });

  it('subarray and select keep each request with its history', () => {
    const batch = StateBatch.before(s, Int32Array.of(u1, u2, u1), Int32Array.of(s.userOffsets[u1] + 3, s.userOffsets[u2] + 1, s.userOffsets[u1] + 1));
    const picked = batch.select([2, 0]);
    expect(Array.from(picked.lengths)).toEqual([1, 3]);
    expect(picked.item(1, 0)).toBe(item(30));
    const tail = batch.subarray(1, 3);
    expect(tail.item(0, 0)).toBe(item(40));
    expect(tail.readsFrom(s)).toBe(true);
    expect(tail.readsFrom(store())).toBe(false);
  });
});

describe('requests handed to agents', () => {
  it("evaluation cases see the events before their positive, asked no earlier than the test day's start", () => {
    const log = tinyStore();
    const split = splitByDay(log);
    const cases = buildTestCases(log, split);
    for (let i = 0; i < cases.count; i++) {
      const p = cases.positions[i];
      expect(log.userOffsets[cases.users[i]] + cases.states.lengths[i]).toBe(p);
      expect(() => cases.states.item(i, -1)).toThrow(RangeError);
      const last = p > log.userOffsets[cases.users[i]] ? log.times[p - 1] : split.test.start;
      expect(cases.states.times[i]).toBe(Math.max(last, split.test.start));
    }
    expect(cases.count).toBeGreaterThan(0);
  });

  it("the vector env's requests end before each slot's next event and are asked at the last visible one's time", () => {
    const log = tinyStore();
    const env = makeVectorEnv('Tianchi-Replay-v0', { store: log, numEnvs: 3, numCandidates: 3, historyLength: 2 });
    let { observations } = env.reset({ seed: 1 });
    const window = env.setup.window;
    for (let t = 0; t < 6; t++) {
      const { states } = observations;
      for (let i = 0; i < 3; i++) {
        const start = log.userOffsets[states.users[i]];
        const n = states.lengths[i];
        expect(states.times[i]).toBe(n > 0 ? Math.max(log.times[start + n - 1], window.start) : window.start);
        if (n > 0) expect(states.item(i, 0)).toBe(log.items[start + n - 1]);
        expect(() => states.item(i, -1)).toThrow(RangeError);
      }
      // The env overwrites the observation in place: what the user did next is handed over by the step.
      const ends = Int32Array.from(states.users, (u, i) => log.userOffsets[u] + states.lengths[i]);
      const result = env.step(new Int32Array(3));
      for (let i = 0; i < 3; i++) expect(result.nextItems[i]).toBe(log.items[ends[i]]);
      observations = result.observations;
    }
  });
});
