import { describe, expect, it } from 'vitest';
import { ErrorCode, RecGymError } from '../../src/core/errors.js';
import { parseEventLog } from '../../src/data/read-event-log.js';
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
