import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ErrorCode, RecGymError } from '../../src/core/errors.js';
import { parseEventLog } from '../../src/data/read-event-log.js';
import { countInWindow, splitByDay } from '../../src/data/split.js';
import { computeStats } from '../../src/data/stats.js';

const LOG = [
  '10,100,1,,7,2014-12-16 05',
  '10,101,3,,7,2014-12-17 10',
  '10,101,4,,7,2014-12-18 01',
  '20,100,2,,7,2014-12-16 05',
  '30,102,1,,8,2014-12-18 23',
  '30,100,1,,7,2014-12-17 00',
  '30,100,x,,7,2014-12-17 00',
].join('\n');

describe('computeStats', () => {
  it('counts users, items, categories, behaviours, days and the default split (last day = test day)', () => {
    const stats = computeStats(parseEventLog(LOG, { file: 'tiny.csv' }));
    expect(stats).toEqual({
      file: 'tiny.csv',
      format: 'tianchi',
      rows: 7,
      events: 6,
      users: 3,
      items: 3,
      categories: 2,
      behaviors: { click: 3, favorite: 1, cart: 1, purchase: 1 },
      firstTime: '2014-12-16T05:00:00Z',
      lastTime: '2014-12-18T23:00:00Z',
      days: 3,
      testDay: '2014-12-18',
      testWindow: { start: '2014-12-18T00:00:00Z', end: '2014-12-19T00:00:00Z' },
      trainEvents: 4,
      testEvents: 2,
      laterEvents: 0,
      testUsers: 2,
      eventsPerUser: { min: 1, median: 2, max: 3 },
      rejected: expect.objectContaining({ total: 1 }),
    });
  });

  it('splits on a given test day; later events belong to neither side', () => {
    const stats = computeStats(parseEventLog(LOG), { testDay: '2014-12-17' });
    expect([stats.testDay, stats.trainEvents, stats.testEvents, stats.laterEvents, stats.testUsers]).toEqual(['2014-12-17', 2, 2, 2, 2]);
  });

  it('averages the two middle users for an even number of users', () => {
    const stats = computeStats(parseEventLog('1,1,1,,1,2014-12-01 00\n2,1,1,,1,2014-12-01 00\n2,1,1,,1,2014-12-01 01\n2,1,1,,1,2014-12-01 02\n'));
    expect(stats.eventsPerUser).toEqual({ min: 1, median: 2, max: 3 });
    expect(stats.days).toBe(1);
    expect(stats.trainEvents).toBe(0);
  });

  it('rejects a malformed test day', () => {
    expect(() => computeStats(parseEventLog(LOG), { testDay: '2014-12-32' })).toThrowError(
      new RecGymError(ErrorCode.BAD_OPTION, 'test day: expected a date YYYY-MM-DD, actual "2014-12-32"'),
    );
  });
});

describe('computeStats against the per-figure passes', () => {
  /** The figures as separate passes over the store (the way they were first computed). */
  function reference(log: ReturnType<typeof parseEventLog>, testDay?: string) {
    const { store } = log;
    const split = splitByDay(store, testDay);
    const counts = [0, 0, 0, 0, 0];
    const days = new Set<number>();
    let later = 0;
    for (let i = 0; i < store.length; i++) {
      counts[store.behaviors[i]]++;
      days.add(Math.floor(store.times[i] / 86_400));
      if (store.times[i] >= split.test.end) later++;
    }
    let testUsers = 0;
    for (let u = 0; u < store.numUsers; u++) {
      const times = Array.from(store.times.subarray(store.userOffsets[u], store.userOffsets[u + 1]));
      if (times.some((t) => t >= split.test.start && t < split.test.end)) testUsers++;
    }
    return {
      behaviors: { click: counts[1], favorite: counts[2], cart: counts[3], purchase: counts[4] },
      days: days.size,
      trainEvents: countInWindow(store, split.train),
      testEvents: countInWindow(store, split.test),
      laterEvents: later,
      testUsers,
    };
  }

  it('gives the same counts, days and test users on any log and test day', () => {
    const row = fc.tuple(fc.integer({ min: 0, max: 6 }), fc.integer({ min: 1, max: 4 }), fc.integer({ min: 0, max: 6 * 24 - 1 }));
    fc.assert(
      fc.property(fc.array(row, { minLength: 1, maxLength: 80 }), fc.option(fc.integer({ min: 0, max: 6 }), { nil: undefined }), (rows, dayIndex) => {
        const text = rows.map(([user, behavior, hour]) => `${user},1,${behavior},,1,${new Date(Date.UTC(2014, 11, 1, hour)).toISOString().slice(0, 13).replace('T', ' ')}`);
        const log = parseEventLog(text.join('\n'), { format: 'tianchi' });
        const testDay = dayIndex === undefined ? undefined : `2014-12-0${dayIndex + 1}`;
        const stats = computeStats(log, testDay === undefined ? {} : { testDay });
        const { behaviors, days, trainEvents, testEvents, laterEvents, testUsers } = stats;
        expect({ behaviors, days, trainEvents, testEvents, laterEvents, testUsers }).toEqual(reference(log, testDay));
      }),
    );
  });
});
