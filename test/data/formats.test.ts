import { describe, expect, it } from 'vitest';
import { ErrorCode, RecGymError } from '../../src/core/errors.js';
import { parseEventLog, type LoadedLog } from '../../src/data/read-event-log.js';
import { RETAILROCKET_CATEGORY } from '../../src/data/formats/retailrocket.js';
import { daysFromCivil, daysInMonth } from '../../src/data/formats/tianchi.js';
import { createRng } from '../../src/core/rng.js';

/** Events of a loaded log in store order, with raw ids: [user, item, category, behavior, time]. */
function events(log: LoadedLog): number[][] {
  const s = log.store;
  const out: number[][] = [];
  for (let i = 0; i < s.length; i++) {
    out.push([s.userIds.rawOf(s.users[i]), s.itemIds.rawOf(s.items[i]), s.categoryIds.rawOf(s.categories[i]), s.behaviors[i], s.times[i]]);
  }
  return out;
}

const T_2014_12_06 = Date.UTC(2014, 11, 6) / 1000;

describe('TianchiRowParser', () => {
  const header = 'user_id,item_id,behavior_type,user_geohash,item_category,time';

  describe('#parseRow', () => {
    it('reads ids, behaviour, category and the hour as UTC unix seconds; geohash is ignored', () => {
      const log = parseEventLog(`${header}\n98047837,232431562,1,,4245,2014-12-06 02\n98047837,232431563,4,96nn52n,4246,2014-12-06 23\n`);
      expect(log.format).toBe('tianchi');
      expect(log.rows).toBe(2);
      expect(events(log)).toEqual([
        [98047837, 232431562, 4245, 1, T_2014_12_06 + 2 * 3600],
        [98047837, 232431563, 4246, 4, T_2014_12_06 + 23 * 3600],
      ]);
    });

    it('accepts a file without header, with CRLF, a BOM, blank lines and no final newline', () => {
      const text = '\uFEFF1,2,3,,5,2014-12-06 02\r\n\r\n   \n1,3,2,,5,2014-12-06 01';
      const log = parseEventLog(text, { format: 'tianchi' });
      expect(log.rows).toBe(2);
      expect(log.rejected.total).toBe(0);
      expect(events(log)).toEqual([
        [1, 3, 5, 2, T_2014_12_06 + 3600],
        [1, 2, 5, 3, T_2014_12_06 + 2 * 3600],
      ]);
    });

    it('checks every calendar field: leap days, month lengths, hour 0..23', () => {
      const rows = [
        '1,1,1,,1,2016-02-29 00', // leap day: ok
        '1,1,1,,1,2014-02-29 00', // line 3: not a leap year
        '1,1,1,,1,2014-04-31 00', // line 4
        '1,1,1,,1,2014-13-01 00', // line 5
        '1,1,1,,1,2014-00-10 00', // line 6
        '1,1,1,,1,2014-12-00 00', // line 7
        '1,1,1,,1,2014-12-06 24', // line 8
        '1,1,1,,1,2014-12-06 2', // line 9
        '1,1,1,,1,2014/12/06 02', // line 10
        '1,1,1,,1,2014-12-06 02x', // line 11
        '1,1,1,,1,1969-12-31 23', // line 12: before 1970
        '1,1,1,,1,2038-01-19 03', // 2038-01-19 03:00 < 2^31 s: ok
        '1,1,1,,1,2038-01-19 04', // line 14: past the Int32 time column
      ];
      const log = parseEventLog(`${header}\n${rows.join('\n')}\n`);
      expect(log.store.length).toBe(2);
      expect(log.rejected.byReason.badTime).toEqual({
        count: 11,
        firstLines: [3, 4, 5, 6, 7],
        firstMessage: '<memory>:3: time: no such day: expected 01..28 in 2014-02, actual "2014-02-29 00"',
      });
      expect([...log.store.times].sort()).toEqual([Date.UTC(2016, 1, 29) / 1000, Date.UTC(2038, 0, 19, 3) / 1000]);
    });

    it('gives every row its own time through the time cache: thousands of hours in random order, with bad hours in between', () => {
      const rng = createRng(3);
      const hours = Array.from({ length: 5000 }, (_, i) => T_2014_12_06 + (i - 2000) * 3600);
      const lines: string[] = [];
      const expected: Array<[row: number, time: number]> = [];
      for (let row = 0; row < 30_000; row++) {
        const t = hours[rng.nextInt(hours.length)];
        const field = new Date(t * 1000).toISOString().slice(0, 13).replace('T', ' ');
        if (rng.nextInt(10) === 0) {
          lines.push(`1,${row},1,,1,${field.slice(0, 11)}2${4 + rng.nextInt(6)}`); // hours 24..29: one or two bytes off a good time
        } else {
          lines.push(`1,${row},1,,1,${field}`);
          expected.push([row, t]);
        }
      }
      const log = parseEventLog(`${lines.join('\n')}\n`);
      expect([log.rows, log.rejected.total, log.rejected.byReason.badTime.count]).toEqual([30_000, 30_000 - expected.length, 30_000 - expected.length]);
      // item raw ids are file rows
      const timeOfRow = new Map<number, number>();
      for (let i = 0; i < log.store.length; i++) timeOfRow.set(log.store.itemIds.rawOf(log.store.items[i]), log.store.times[i]);
      expect(expected.map(([row]) => [row, timeOfRow.get(row)])).toEqual(expected);
    });

    it('reads a time cut short at the end of the input as a bad time', () => {
      const log = parseEventLog('1,1,1,,1,2014-12-06 02\n1,2,1,,1,2014-12-0', { format: 'tianchi' });
      expect([log.store.length, log.rejected.byReason.badTime.count]).toEqual([1, 1]);
    });

    it('skips and counts each bad-row reason with its line numbers (header is line 1)', () => {
      const text = [
        header,
        '1,2,1,,3,2014-12-06 02', // 2 ok
        '1,2,1,,3', // 3 columns
        '1,2,5,,3,2014-12-06 02', // 4 behaviour
        '1,2,1,,3,2014-12-06 2x', // 5 time
        '1,-2,1,,3,2014-12-06 02', // 6 id (negative)
        'x1,2,1,,3,2014-12-06 02', // 7 id (not a number)
        '1,2,1,,3,2014-12-06 02,extra', // 8 columns
        '', // 9 blank: not a reject
        '1,2,1,,3.5,2014-12-06 02', // 10 id
        '1,2,,,3,2014-12-06 02', // 11 behaviour (empty)
        '9007199254740993,2,1,,3,2014-12-06 02', // 12 id > 2^53
        '9007199254740992,2,1,,3,2014-12-06 02', // 13 2^53: ok
        '0009,2,1,,3,2014-12-06 02', // 14 leading zeros: ok
      ].join('\n');
      const log = parseEventLog(text, { file: 'log.csv' });
      expect(log.rows).toBe(12);
      expect(log.store.length).toBe(3);
      expect(log.rejected).toEqual({
        total: 9,
        byReason: {
          columnCount: { count: 2, firstLines: [3, 8], firstMessage: 'log.csv:3: expected 6 columns, actual 5' },
          unknownBehavior: {
            count: 2,
            firstLines: [4, 11],
            firstMessage: 'log.csv:4: behavior_type: expected 1, 2, 3 or 4, actual "5"',
          },
          badTime: {
            count: 1,
            firstLines: [5],
            firstMessage: 'log.csv:5: time: expected a UTC time YYYY-MM-DD HH, actual "2014-12-06 2x"',
          },
          badId: {
            count: 4,
            firstLines: [6, 7, 10, 12],
            firstMessage: 'log.csv:6: item_id: expected a non-negative integer <= 2^53, actual "-2"',
          },
        },
      });
      expect(log.store.userIds.rawIds()).toEqual(Float64Array.from([1, 2 ** 53, 9]));
    });

    it('keeps only the first five line numbers per reason but counts all', () => {
      const bad = Array.from({ length: 8 }, () => '1,2,7,,3,2014-12-06 02');
      const log = parseEventLog(['1,2,1,,3,2014-12-06 02', ...bad].join('\n'));
      expect(log.rejected.byReason.unknownBehavior.count).toBe(8);
      expect(log.rejected.byReason.unknownBehavior.firstLines).toEqual([2, 3, 4, 5, 6]);
    });

    it('throws BAD_ROW with file:line: reason at the first bad row when strict', () => {
      const text = `${header}\n1,2,1,,3,2014-12-06 02\n1,2,1,,3,2014-12-06 02\n1,2,1,3,2014-12-06 02\n1,2,9,,3,2014-12-06 02\n`;
      expect(() => parseEventLog(text, { strict: true, file: 'a.csv' })).toThrowError(
        new RecGymError(ErrorCode.BAD_ROW, 'a.csv:4: expected 6 columns, actual 5'),
      );
    });
  });

  describe('daysFromCivil', () => {
    it('agrees with Date.UTC across leap years and centuries', () => {
      for (const [y, m, d] of [[1970, 1, 1], [2000, 2, 29], [1900, 3, 1], [2014, 12, 18], [2100, 2, 28], [1600, 1, 1]]) {
        expect(daysFromCivil(y, m, d)).toBe(Date.UTC(y, m - 1, d) / 86_400_000);
      }
    });

    it('knows month lengths', () => {
      expect([2000, 1900, 2016, 2014].map((y) => daysInMonth(y, 2))).toEqual([29, 28, 29, 28]);
      expect(daysInMonth(2014, 11)).toBe(30);
      expect(daysInMonth(2014, 12)).toBe(31);
    });
  });
});

describe('UserBehaviorRowParser', () => {
  describe('#parseRow', () => {
    it('maps pv/fav/cart/buy to 1..4 and keeps unix seconds', () => {
      const log = parseEventLog('1,2268318,2520377,pv,1511544070\n1,2333346,2520771,fav,1511561733\n1,7,8,cart,1511561734\n1,9,8,buy,1511561735\n');
      expect(log.format).toBe('userbehavior');
      expect(events(log)).toEqual([
        [1, 2268318, 2520377, 1, 1511544070],
        [1, 2333346, 2520771, 2, 1511561733],
        [1, 7, 8, 3, 1511561734],
        [1, 9, 8, 4, 1511561735],
      ]);
    });

    it('rejects unknown behaviours, bad timestamps, bad ids and wrong column counts', () => {
      const text = [
        '1,2,3,pv,1511544070', // 1 ok
        '1,2,3,PV,1511544070', // 2 behaviour (case matters)
        '1,2,3,pvx,1511544070', // 3 behaviour
        '1,2,3,buy,2147483648', // 4 time beyond Int32
        '1,2,3,buy,-5', // 5 time
        '1,2,3,buy,', // 6 time (empty)
        '1,2,,buy,1511544070', // 7 id (empty category)
        '1,2,3,buy', // 8 columns
        '1,2,3,cart,1511544070\r', // 9 ok (CR)
        '1,2,3,fa', // 10 columns
      ].join('\n');
      const log = parseEventLog(text, { format: 'userbehavior', file: 'ub.csv' });
      expect(log.rows).toBe(10);
      expect(log.store.length).toBe(2);
      const r = log.rejected.byReason;
      expect([r.unknownBehavior.firstLines, r.badTime.firstLines, r.badId.firstLines, r.columnCount.firstLines]).toEqual([
        [2, 3],
        [4, 5, 6],
        [7],
        [8, 10],
      ]);
      expect(r.badTime.firstMessage).toBe('ub.csv:4: timestamp: expected unix seconds in [0, 2147483647], actual "2147483648"');
      expect(r.badId.firstMessage).toBe('ub.csv:7: category_id: expected a non-negative integer <= 2^53, actual ""');
    });
  });
});

describe('RetailRocketRowParser', () => {
  // Hand-made in the shape of RetailRocket's events.csv (header present, transactionid mostly empty).
  const fixture = [
    'timestamp,visitorid,event,itemid,transactionid',
    '1433221332117,257597,view,355908,',
    '1433224214164,992329,view,248676,',
    '1433221999827,111016,addtocart,464213,',
    '1433221955914,111016,transaction,464213,4000',
    '1433221955914,257597,purchase,1,', // unknown event
    '1433221955914,257597,view,1,2,3', // columns
    '1433221955914,257597,view,abc,', // id
    '143322195591x,257597,view,1,', // time
  ].join('\r\n');

  describe('#parseRow', () => {
    it('maps view/addtocart/transaction to click/cart/purchase, ms to whole seconds, category to a constant', () => {
      const log = parseEventLog(fixture, { file: 'events.csv' });
      expect(log.format).toBe('retailrocket');
      expect(log.rows).toBe(8);
      expect(events(log)).toEqual([
        [257597, 355908, RETAILROCKET_CATEGORY, 1, 1433221332],
        [992329, 248676, RETAILROCKET_CATEGORY, 1, 1433224214],
        [111016, 464213, RETAILROCKET_CATEGORY, 4, 1433221955],
        [111016, 464213, RETAILROCKET_CATEGORY, 3, 1433221999],
      ]);
      expect(log.store.numCategories).toBe(1);
    });

    it('counts its bad rows by reason', () => {
      const { rejected } = parseEventLog(fixture, { file: 'events.csv' });
      expect(rejected.total).toBe(4);
      expect(rejected.byReason.unknownBehavior.firstMessage).toBe(
        'events.csv:6: event: expected view, addtocart or transaction, actual "purchase"',
      );
      expect(rejected.byReason.columnCount.firstLines).toEqual([7]);
      expect(rejected.byReason.badId.firstMessage).toBe('events.csv:8: itemid: expected a non-negative integer <= 2^53, actual "abc"');
      expect(rejected.byReason.badTime.firstLines).toEqual([9]);
    });
  });
});

describe('messages for a time of the right shape but out of range', () => {
  function firstBadTime(text: string): string | undefined {
    return parseEventLog(text, { file: 'f.csv' }).rejected.byReason.badTime.firstMessage;
  }

  it.each([
    ['2099-01-01 02', 'time: out of range: expected a time from 1970-01-01 00 to 2038-01-19 03 UTC (the store keeps 32-bit unix seconds), actual "2099-01-01 02"'],
    ['1969-12-31 23', 'time: out of range: expected a time from 1970-01-01 00 to 2038-01-19 03 UTC (the store keeps 32-bit unix seconds), actual "1969-12-31 23"'],
    ['2014-13-01 02', 'time: no such month: expected 01..12, actual "2014-13-01 02"'],
    ['2016-02-30 02', 'time: no such day: expected 01..29 in 2016-02, actual "2016-02-30 02"'],
    ['2014-12-18 24', 'time: no such hour: expected 00..23, actual "2014-12-18 24"'],
    ['2014-12-18', 'time: expected a UTC time YYYY-MM-DD HH, actual "2014-12-18"'],
  ])('Tianchi %s', (time, message) => {
    expect(firstBadTime(`1,1,1,,1,2014-12-06 02\n1,1,1,,1,${time}\n`)).toBe(`f.csv:2: ${message}`);
  });

  it('UserBehavior seconds past 2038, with a hint for milliseconds', () => {
    expect(firstBadTime('1,2,3,pv,1511658000\n1,2,3,pv,1511658000000\n')).toBe(
      'f.csv:2: timestamp: out of range: expected unix seconds up to 2147483647 (2038-01-19 03:14:07 UTC, the store keeps 32-bit unix seconds), actual "1511658000000" (milliseconds? this column holds seconds)',
    );
    expect(firstBadTime('1,2,3,pv,1511658000\n1,2,3,pv,9999999999\n')).toMatch(/actual "9999999999"$/);
  });

  it('RetailRocket milliseconds past 2038', () => {
    expect(firstBadTime('1433221332117,257597,view,355908,\n99999999999999,1,view,2,\n')).toBe(
      'f.csv:2: timestamp: out of range: expected unix milliseconds up to 2147483647999 (2038-01-19 03:14:07 UTC, the store keeps 32-bit unix seconds), actual "99999999999999"',
    );
  });
});
