import { describe, expect, it } from 'vitest';
import { EventStoreBuilder } from '../../src/data/event-store.js';
import { isRecGymError } from '../../src/core/errors.js';
import {
  COLD,
  REPEAT,
  SEEN,
  buildTestCases,
  caseMask,
  caseShares,
  countCases,
  parseTestStart,
  splitAtTime,
} from '../../src/eval/test-cases.js';
import { D0, H, TEST, itemOf, tinySplit, tinyStore, userOf } from './tiny-log.js';

describe('buildTestCases', () => {
  const store = tinyStore();
  const split = tinySplit(store);
  const cases = buildTestCases(store, split);

  it('makes a case of every test-day event of a user with a training event, in store order', () => {
    expect(cases.count).toBe(5);
    expect(Array.from(cases.users)).toEqual([1, 1, 1, 1, 2].map((u) => userOf(store, u)));
    expect(Array.from(cases.items, (i) => store.itemIds.rawOf(i))).toEqual([10, 12, 99, 99, 13]);
    expect(Array.from(cases.behaviors)).toEqual([4, 1, 1, 2, 1]);
    const u1 = store.userOffsets[userOf(store, 1)];
    expect(Array.from(cases.positions.subarray(0, 4))).toEqual([u1 + 3, u1 + 4, u1 + 5, u1 + 6]);
    expect(cases.numUsers).toBe(2);
    expect(Array.from(cases.userIndex)).toEqual([0, 0, 0, 0, 1]);
  });

  it('classifies cold, seen, repeat and discovery', () => {
    expect(Array.from(cases.flags)).toEqual([SEEN | REPEAT, 0, COLD, COLD, SEEN]);
    expect(countCases(cases)).toEqual({ total: 5, cold: 2, warm: 3, seen: 2, repeat: 1, discovery: 1, users: 2 });
  });

  it('builds the catalogue from training items, or from all kept events', () => {
    expect(Array.from(cases.catalogue, (i) => store.itemIds.rawOf(i)).sort((a, b) => a - b)).toEqual([10, 11, 12, 13]);
    const all = buildTestCases(store, split, { catalogue: 'all' });
    expect(Array.from(all.catalogue, (i) => store.itemIds.rawOf(i)).sort((a, b) => a - b)).toEqual([10, 11, 12, 13, 99]);
    // 99 is now warm; its second case is seen (and a repeat of the previous item)
    expect(Array.from(all.flags)).toEqual([SEEN | REPEAT, 0, 0, SEEN | REPEAT, SEEN]);
    expect(all.inCatalogue[itemOf(store, 14)]).toBe(0);
  });

  it('filters cases by kind', () => {
    expect(Array.from(caseMask(cases, 'warm'))).toEqual([1, 1, 0, 0, 1]);
    expect(Array.from(caseMask(cases, 'seen'))).toEqual([1, 0, 0, 0, 1]);
    expect(Array.from(caseMask(cases, 'discovery'))).toEqual([0, 1, 0, 0, 0]);
    expect(Array.from(caseMask(cases, 'repeat'))).toEqual([1, 0, 0, 0, 0]);
    expect(Array.from(caseMask(cases, 'cold'))).toEqual([0, 0, 1, 1, 0]);
    expect(countCases(cases, caseMask(cases, 'warm'))).toEqual({ total: 3, cold: 0, warm: 3, seen: 2, repeat: 1, discovery: 1, users: 2 });
  });

  it('rejects an unknown catalogue mode', () => {
    expect(() => buildTestCases(store, split, { catalogue: 'none' as 'all' })).toThrow(/catalogue: expected train or all/);
  });
});

describe('caseShares', () => {
  it('gives the shares of all test cases', () => {
    const store = tinyStore();
    expect(caseShares(store, tinySplit(store))).toEqual({
      cases: 5,
      users: 2,
      cold: 0.4,
      warm: 0.6,
      seen: 0.4,
      repeat: 0.2,
      discovery: 0.2,
      seenOfWarm: 2 / 3,
    });
  });
});

describe('splitAtTime', () => {
  it('tests [time, next midnight) and trains on everything before', () => {
    const b = new EventStoreBuilder();
    // one day; user 1 before and after 02:00, user 2 only after, user 3 only before
    b.append(1, 5, 1, 1, TEST + 1 * H);
    b.append(1, 6, 1, 1, TEST + 2 * H);
    b.append(1, 5, 1, 1, TEST + 2 * H + 30);
    b.append(2, 5, 1, 1, TEST + 3 * H);
    b.append(3, 7, 1, 1, TEST + 1 * H + 5);
    const store = b.build();
    const split = splitAtTime(store, parseTestStart('2014-12-18T02:00'));
    expect(split.train).toEqual({ start: TEST, end: TEST + 2 * H });
    expect(split.test).toEqual({ start: TEST + 2 * H, end: TEST + 86_400 });
    const cases = buildTestCases(store, split);
    expect(Array.from(cases.items, (i) => store.itemIds.rawOf(i))).toEqual([6, 5]);
    expect(Array.from(cases.flags)).toEqual([COLD, SEEN]);
  });
});

describe('parseTestStart', () => {
  it('parses UTC times with optional seconds and Z', () => {
    expect(parseTestStart('2017-11-26T02:00')).toBe(Date.UTC(2017, 10, 26, 2) / 1000);
    expect(parseTestStart('2017-11-26T02:00:30Z')).toBe(Date.UTC(2017, 10, 26, 2, 0, 30) / 1000);
    expect(parseTestStart('2014-12-16 00:00')).toBe(D0);
  });

  it('rejects malformed or impossible times', () => {
    for (const bad of ['2017-11-26', '2017-13-01T00:00', '2017-11-26T25:00', 'soon']) {
      let error: unknown;
      try {
        parseTestStart(bad);
      } catch (e) {
        error = e;
      }
      expect(isRecGymError(error)).toBe(true);
      expect((error as Error).message).toContain(`actual "${bad}"`);
    }
  });
});
