import { describe, expect, it } from 'vitest';
import { ContextFeatures, NUM_CONTEXT_FEATURES, contextWeightGradient } from '../../../src/agents/features/context-features.js';
import { createRng } from '../../../src/core/rng.js';
import { TransitionsByDay } from '../../../src/agents/features/transitions-by-day.js';
import { EventStoreBuilder, SECONDS_PER_DAY, type EventStore } from '../../../src/data/event-store.js';
import { StateBatch } from '../../../src/data/state-batch.js';
import { FIRST_DAY_SECONDS } from '../dqn/fixtures.js';

const A = 1;
const B = 2;
const C = 3;
const day = (d: number, hour: number) => FIRST_DAY_SECONDS + d * SECONDS_PER_DAY + hour * 3600;

/**
 * Day 0: user 1 clicks A (category 10), B (category 10); user 2 clicks A.
 * Day 1: user 1 clicks C (category 20); user 2 buys A.
 * Day 2 (after the training window): user 2 clicks B, then C.
 */
function handStore(): EventStore {
  const builder = new EventStoreBuilder();
  builder.append(1, A, 10, 1, day(0, 1));
  builder.append(1, B, 10, 1, day(0, 2));
  builder.append(2, A, 10, 1, day(0, 3));
  builder.append(1, C, 20, 1, day(1, 1));
  builder.append(2, A, 10, 4, day(1, 2));
  builder.append(2, B, 10, 1, day(2, 1));
  builder.append(2, C, 20, 1, day(2, 2));
  return builder.build();
}

/** The request just before the event at `p`, asked at that event's time (the test's choice of request time). */
function at(store: EventStore, p: number): StateBatch {
  const user = store.users[p];
  return new StateBatch(store, Int32Array.of(user), Int32Array.of(p - store.userOffsets[user]), Int32Array.of(store.times[p]));
}

function positionOf(store: EventStore, userRaw: number, itemRaw: number, time: number): number {
  for (let p = 0; p < store.length; p++) {
    if (store.userIds.rawOf(store.users[p]) === userRaw && store.itemIds.rawOf(store.items[p]) === itemRaw && store.times[p] === time) return p;
  }
  throw new Error('no such event');
}

describe('ContextFeatures', () => {
  const store = handStore();
  const a = store.itemIds.get(A);
  const b = store.itemIds.get(B);
  const c = store.itemIds.get(C);
  const context = new ContextFeatures(store, { untilTime: day(2, 0), recentEvents: 2 });

  describe('#constructor', () => {
    it('counts popularity of the day before and of all days before, only before untilTime', () => {
      const N = store.numItems;
      expect(context.numDays).toBe(4);
      expect(context.popularityYesterday[0 * N + a]).toBe(0);
      expect(context.popularityYesterday[1 * N + a]).toBeCloseTo(Math.log1p(2), 6);
      expect(context.popularityYesterday[2 * N + a]).toBeCloseTo(Math.log1p(1), 6);
      expect(context.popularityBefore[2 * N + a]).toBeCloseTo(Math.log1p(3), 6);
      // Day 2's events are after untilTime: B stays at its day-0 count.
      expect(context.popularityBefore[3 * N + b]).toBeCloseTo(Math.log1p(1), 6);
      expect(context.popularityYesterday[3 * N + b]).toBe(0);
    });

    it('rejects recentEvents < 1', () => {
      expect(() => new ContextFeatures(store, { untilTime: 0, recentEvents: 0 })).toThrow(RangeError);
    });
  });

  describe('#seenBefore', () => {
    it('is true only for items with an event on an earlier day', () => {
      const firstA = positionOf(store, 1, A, day(0, 1));
      expect(context.seenBefore(store.times[firstA], a)).toBe(false);
      const cOnDay1 = positionOf(store, 1, C, day(1, 1));
      expect(context.seenBefore(store.times[cOnDay1], c)).toBe(false);
      expect(context.seenBefore(store.times[cOnDay1], b)).toBe(true);
    });
  });

  describe('#write', () => {
    it('gives popularity and the category shares of the latest events', () => {
      const p = positionOf(store, 2, B, day(2, 1));
      context.load(at(store, p), 0);
      expect(context.numCategories).toBe(1);
      const out = new Float32Array(NUM_CONTEXT_FEATURES);
      context.write(b, out, 0);
      // Last items A (day 1, weight 1) and A (day 0, weight 0.5); A was followed by B (day 0) and A (day 1).
      // Taste: 2 of the user's events are in category 10; category 10 had 4 events before day 2, category 20 one.
      const f = (x: number) => Math.fround(Math.log1p(x));
      expect(Array.from(out)).toEqual([0, f(1), 1, 1, f(1.5), f(2), f(4)]);
      context.write(c, out, 0);
      expect(Array.from(out)).toEqual([f(1), f(1), 0, 0, 0, 0, f(1)]);
      // After B (category 10) and A's purchase the next state's latest two events are both category 10.
      context.load(at(store, positionOf(store, 2, C, day(2, 2))), 0);
      context.write(a, out, 0);
      expect(out[2]).toBe(1);
      expect(out[3]).toBe(1);
      // Last items B, A, A (weights 1, 0.5, 0.25): B -> C on day 1; A -> A on day 1, A -> B on day 0.
      expect(out[4]).toBeCloseTo(Math.log1p(0.75), 6);
      context.write(c, out, 0);
      expect(out[4]).toBeCloseTo(Math.log1p(1), 6);
    });

    it("counts only transitions dated before the state's day", () => {
      // User 1 on day 1 (before C): A -> B happened on day 0, B -> C on day 1 (the state's own day).
      const p = positionOf(store, 1, C, day(1, 1));
      context.load(at(store, p), 0);
      const out = new Float32Array(NUM_CONTEXT_FEATURES);
      context.write(c, out, 0);
      expect(out[4]).toBe(0);
      context.write(b, out, 0);
      expect(out[4]).toBeCloseTo(Math.log1p(0.5), 6);
      expect(context.numFollowers).toBe(1);
    });
  });

  describe('#addScores / #writeRow', () => {
    it('agree with write for every item', () => {
      const w = Float32Array.of(0.5, -1.25, 2, 3, 0.75, -0.5, 0.25);
      const p = positionOf(store, 1, C, day(1, 1));
      context.load(at(store, p), 0);
      const N = store.numItems;
      const scores = new Float64Array(N + 1).fill(1);
      context.addScores(w, scores, 1, N);
      const all = Int32Array.from({ length: N }, (_, x) => x);
      const values = new Float32Array(N * NUM_CONTEXT_FEATURES);
      const logits = new Float32Array(N);
      context.writeRow(all, N, w, values, 0, logits, 0);
      const f = new Float32Array(NUM_CONTEXT_FEATURES);
      for (let x = 0; x < N; x++) {
        context.write(x, f, 0);
        const expected = f.reduce((s, v, j) => s + v * w[j], 0);
        expect(scores[1 + x]).toBeCloseTo(1 + expected, 5);
        expect(logits[x]).toBeCloseTo(expected, 5);
        expect(Array.from(values.subarray(x * NUM_CONTEXT_FEATURES, (x + 1) * NUM_CONTEXT_FEATURES))).toEqual(Array.from(f));
      }
      expect(scores[0]).toBe(1);
    });

    it('writeRow gives unseen items the unseen logit', () => {
      const p = positionOf(store, 1, C, day(1, 1));
      context.load(at(store, p), 0);
      const logits = new Float32Array(1);
      context.writeRow(Int32Array.of(c), 1, new Float32Array(NUM_CONTEXT_FEATURES), new Float32Array(NUM_CONTEXT_FEATURES), 0, logits, 0, -1e4);
      expect(logits[0]).toBe(-1e4);
    });
  });
});

describe('ContextFeatures#dot', () => {
  it('equals w · the written features for every item of every state of the store', () => {
    const store = handStore();
    const context = new ContextFeatures(store, { untilTime: day(2, 0), recentEvents: 2 });
    const w = Float32Array.from({ length: 3 + NUM_CONTEXT_FEATURES }, (_, k) => Math.cos(k + 1));
    const out = new Float32Array(NUM_CONTEXT_FEATURES);
    let checked = 0;
    for (let p = 0; p < store.length; p++) {
      context.load(at(store, p), 0);
      for (let item = 0; item < store.numItems; item++) {
        context.write(item, out, 0);
        let expected = 0;
        for (let k = 0; k < NUM_CONTEXT_FEATURES; k++) expected += w[3 + k] * out[k];
        expect(context.dot(item, w, 3)).toBeCloseTo(expected, 5);
        checked++;
      }
    }
    expect(checked).toBeGreaterThan(10);
  });
});

describe('ContextFeatures with hour periods', () => {
  it('counts popularity, transitions and seenBefore by the period, not the day', () => {
    const builder = new EventStoreBuilder();
    builder.append(1, A, 10, 1, day(0, 1));
    builder.append(1, B, 10, 1, day(0, 2));
    builder.append(2, A, 10, 1, day(0, 2));
    builder.append(2, B, 10, 1, day(0, 3));
    const s = builder.build();
    const hourly = new ContextFeatures(s, { untilTime: day(1, 0), recentEvents: 2, periodSeconds: 3600 });
    const [a, b] = [A, B].map((raw) => s.itemIds.get(raw));
    const bAt3 = positionOf(s, 2, B, day(0, 3));
    // Hour 3: A had one event in hour 2 (yesterday's period) and two before; B one, in hour 2.
    hourly.load(at(s, bAt3), 0);
    const out = new Float32Array(NUM_CONTEXT_FEATURES);
    hourly.write(a, out, 0);
    expect(out[0]).toBeCloseTo(Math.log1p(1), 6);
    expect(out[1]).toBeCloseTo(Math.log1p(2), 6);
    // User 2's last item A was followed by B in hour 2 (user 1).
    hourly.write(b, out, 0);
    expect(out[4]).toBeCloseTo(Math.log1p(1), 6);
    expect(hourly.seenBefore(s.times[bAt3], b)).toBe(true);
    expect(hourly.seenBefore(s.times[positionOf(s, 1, B, day(0, 2))], b)).toBe(false);
    // By day, nothing is seen before day 0.
    const daily = new ContextFeatures(s, { untilTime: day(1, 0), recentEvents: 2 });
    expect(daily.seenBefore(s.times[bAt3], b)).toBe(false);
    expect(() => new ContextFeatures(s, { untilTime: 0, recentEvents: 2, periodSeconds: 0 })).toThrow(RangeError);
  });
});

describe('contextWeightGradient', () => {
  it('sums g · values per feature, skipping entries with the skip logit', () => {
    const values = new Float32Array(3 * NUM_CONTEXT_FEATURES);
    for (let j = 0; j < NUM_CONTEXT_FEATURES; j++) {
      values[j] = j;
      values[NUM_CONTEXT_FEATURES + j] = 100;
      values[2 * NUM_CONTEXT_FEATURES + j] = 1;
    }
    const out = new Float32Array(NUM_CONTEXT_FEATURES);
    contextWeightGradient(Float32Array.of(2, 5, -1), Float32Array.of(0, -1e4, 3), -1e4, values, 3, out);
    // 2 · j + (skipped) − 1 · 1
    expect(Array.from(out)).toEqual([-1, 1, 3, 5, 7, 9, 11]);
  });

  it('gives the same float32 sums as accumulating into a Float32Array', () => {
    const rng = createRng('context-gradient');
    const n = 5000;
    const g = Float32Array.from({ length: n }, () => rng.next() - 0.5);
    const logits = Float32Array.from({ length: n }, () => (rng.next() < 0.2 ? -1e4 : rng.next()));
    const values = Float32Array.from({ length: n * NUM_CONTEXT_FEATURES }, () => rng.next() * 3);
    const expected = new Float32Array(NUM_CONTEXT_FEATURES);
    for (let k = 0; k < n; k++) {
      if (logits[k] === -1e4) continue;
      for (let j = 0; j < NUM_CONTEXT_FEATURES; j++) expected[j] += g[k] * values[k * NUM_CONTEXT_FEATURES + j];
    }
    const out = new Float32Array(NUM_CONTEXT_FEATURES);
    contextWeightGradient(g, logits, -1e4, values, n, out);
    expect(Array.from(out)).toEqual(Array.from(expected));
    // A double-precision sum differs in the last bits, so the test can tell the two apart.
    let double = 0;
    for (let k = 0; k < n; k++) if (logits[k] !== -1e4) double += g[k] * values[k * NUM_CONTEXT_FEATURES];
    expect(Math.fround(double)).not.toBe(out[0]);
  });
});

describe('TransitionsByDay', () => {
  it('keeps one (next, day, count) entry per pair and day, sorted, only before untilTime', () => {
    const builder = new EventStoreBuilder();
    builder.append(1, A, 10, 1, day(0, 1));
    builder.append(1, B, 10, 1, day(0, 2));
    builder.append(1, A, 10, 1, day(0, 3));
    builder.append(1, B, 10, 1, day(0, 4));
    builder.append(1, C, 20, 1, day(1, 1));
    builder.append(2, A, 10, 1, day(1, 2));
    builder.append(2, B, 10, 1, day(1, 3));
    builder.append(2, C, 20, 1, day(2, 1)); // after untilTime
    const s = builder.build();
    const t = new TransitionsByDay(s, day(2, 0));
    const [a, b, c] = [A, B, C].map((raw) => s.itemIds.get(raw));
    const row = (x: number) => Array.from({ length: t.rowStart[x + 1] - t.rowStart[x] }, (_, k) => {
      const j = t.rowStart[x] + k;
      return [t.next[j], t.day[j], t.count[j]];
    });
    expect(row(a)).toEqual([[b, 0, 2], [b, 1, 1]]);
    expect(row(b)).toEqual([[a, 0, 1], [c, 1, 1]].sort((x, y) => x[0] - y[0]));
    expect(row(c)).toEqual([]);
  });
});
