import { describe, expect, it } from 'vitest';
import { SessionLog } from '../../src/data/session-log.js';
import { StateBatch } from '../../src/data/state-batch.js';
import { at, ids, tinyStore } from '../env/fixtures.js';

const store = tinyStore();
const id = ids(store);

describe('SessionLog', () => {
  it("copies a user's logged events into a row and appends session events with the store's categories and their hours", () => {
    const log = new SessionLog(store, 2, 8);
    const user = id.user(100);
    const from = store.userOffsets[user];
    log.copyFromStore(1, from, from + 3);
    log.append(1, id.item(6), 3, at('2014-12-19', 7));
    expect(log.rowLengths[1]).toBe(4);
    expect(Array.from(log.items.subarray(8, 12))).toEqual([id.item(1), id.item(2), id.item(3), id.item(6)]);
    expect(log.categories[11]).toBe(id.category(9));
    expect(log.hours[11]).toBe(7);
    expect(log.rowLengths[0]).toBe(0);
  });

  it('keeps the newest half of a full row when appended to', () => {
    const log = new SessionLog(store, 1, 4);
    for (let k = 0; k < 5; k++) log.append(0, id.item(10 + k), 1, at('2014-12-19', k));
    expect(log.rowLengths[0]).toBe(3);
    expect(Array.from(log.items.subarray(0, 3))).toEqual([id.item(12), id.item(13), id.item(14)]);
    expect(Array.from(log.hours.subarray(0, 3))).toEqual([2, 3, 4]);
  });
});

describe('StateBatch over a SessionLog', () => {
  it("reads a row as a user's history, stops at the request, and belongs to the store's ids", () => {
    const log = new SessionLog(store, 2, 8);
    log.append(1, id.item(1), 1, at('2014-12-19', 9));
    log.append(1, id.item(4), 4, at('2014-12-19', 10));
    const batch = new StateBatch(log, Int32Array.of(1), Int32Array.of(2), Int32Array.of(at('2014-12-19', 10)));
    expect(batch.readsFrom(store)).toBe(true);
    expect(batch.numItems).toBe(store.numItems);
    expect(batch.item(0, 0)).toBe(id.item(4));
    expect(batch.behavior(0, 0)).toBe(4);
    expect(batch.category(0, 1)).toBe(id.category(7));
    expect(batch.hour(0, 1)).toBe(9);
    expect(() => batch.item(0, -1)).toThrow(/at or past the request/);
    expect(() => batch.item(0, 2)).toThrow(/before the user's first event/);
    expect(() => batch.check()).not.toThrow();
    expect(() => new StateBatch(log, Int32Array.of(1), Int32Array.of(9), Int32Array.of(0)).check()).toThrow(/at most that user's events/);
    expect(batch.subarray(0, 1).item(0, 0)).toBe(id.item(4));
    expect(batch.select([0]).item(0, 1)).toBe(id.item(1));
  });
});
