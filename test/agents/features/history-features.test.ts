import { describe, expect, it } from 'vitest';
import { HistoryFeatures, NUM_HISTORY_FEATURES } from '../../../src/agents/features/history-features.js';
import { EventStoreBuilder, type EventStore } from '../../../src/data/event-store.js';
import { StateBatch } from '../../../src/data/state-batch.js';
import { FIRST_DAY_SECONDS } from '../dqn/fixtures.js';

const hour = (h: number) => FIRST_DAY_SECONDS + h * 3600;

/** User 1: A click, B cart, A favourite, C click, then D (the state before D is at position 4). */
function handStore() {
  const builder = new EventStoreBuilder();
  builder.append(1, 10, 1, 1, hour(0));
  builder.append(1, 20, 1, 3, hour(1));
  builder.append(1, 10, 1, 2, hour(2));
  builder.append(1, 30, 1, 1, hour(3));
  builder.append(1, 40, 1, 1, hour(5));
  builder.append(2, 10, 1, 4, hour(0));
  return builder.build();
}

/** The request of raw user `rawUser` with their first `length` events visible, asked at `time`. */
function request(store: EventStore, rawUser: number, length: number, time: number): StateBatch {
  return new StateBatch(store, Int32Array.of(store.userIds.get(rawUser)), Int32Array.of(length), Int32Array.of(time));
}

describe('HistoryFeatures', () => {
  const store = handStore();
  const [a, b, c, d] = [10, 20, 30, 40].map((raw) => store.itemIds.get(raw));
  // The request before D, asked at hour 5.
  const beforeD = request(store, 1, 4, hour(5));

  describe('#write', () => {
    it('gives count, recency, strongest behaviour, previous item and recency rank (hand-computed)', () => {
      const features = new HistoryFeatures(store.numItems, 1000);
      features.load(beforeD, 0);
      expect(Array.from(features.touched.subarray(0, features.numTouched))).toEqual([c, a, b]);
      const out = new Float32Array(NUM_HISTORY_FEATURES);
      const expectRow = (item: number, row: number[]) => {
        features.write(item, out, 0);
        expect(Array.from(out).map((v) => Number(v.toFixed(6)))).toEqual(row.map((v) => Number(Math.fround(v).toFixed(6))));
      };
      // The request is at hour 5: A was last touched 3 hours and 2 events before.
      expectRow(a, [1, Math.log1p(2), 1 / 2, Math.exp(-3 / 24), 0, 1, 0, 0, 0, Math.log1p(1)]);
      expectRow(c, [1, Math.log1p(1), 1, Math.exp(-2 / 24), 1, 0, 0, 0, 1, 0]);
      expectRow(b, [1, Math.log1p(1), 1 / 3, Math.exp(-4 / 24), 0, 0, 1, 0, 0, Math.log1p(2)]);
      expectRow(d, new Array(NUM_HISTORY_FEATURES).fill(0));
      expect(features.has(d)).toBe(false);
    });

    it("scans only the last scanLimit events and never another user's", () => {
      const features = new HistoryFeatures(store.numItems, 2);
      features.load(beforeD, 0);
      expect(Array.from(features.touched.subarray(0, features.numTouched))).toEqual([c, a]);
      expect(features.has(b)).toBe(false);
      features.load(request(store, 2, 0, hour(5)), 0);
      expect(features.numTouched).toBe(0);
    });
  });

  describe('#dot', () => {
    it('equals w · the written features for every item, 0 for an untouched one', () => {
      const features = new HistoryFeatures(store.numItems, 1000);
      features.load(beforeD, 0);
      const w = Float32Array.from({ length: 2 + NUM_HISTORY_FEATURES }, (_, k) => Math.sin(k + 1));
      const out = new Float32Array(NUM_HISTORY_FEATURES);
      for (const item of [a, b, c, d]) {
        features.write(item, out, 0);
        let expected = 0;
        for (let k = 0; k < NUM_HISTORY_FEATURES; k++) expected += w[2 + k] * out[k];
        expect(features.dot(item, w, 2)).toBeCloseTo(expected, 5);
      }
      expect(features.dot(d, w, 2)).toBe(0);
    });
  });

  it('rejects numItems or scanLimit below 1', () => {
    expect(() => new HistoryFeatures(0, 10)).toThrow(RangeError);
    expect(() => new HistoryFeatures(5, 0)).toThrow(RangeError);
  });
});
