import { describe, expect, it } from 'vitest';
import { ErrorCode, RecGymError } from '../../src/core/errors.js';
import { EventStoreBuilder } from '../../src/data/event-store.js';
import { countInWindow, formatDay, formatTime, parseDay, splitByDay } from '../../src/data/split.js';

const DAY = 86_400;
const D16 = Date.UTC(2014, 11, 16) / 1000 / DAY;

function store(hoursFromD16: number[]) {
  const builder = new EventStoreBuilder();
  hoursFromD16.forEach((h, i) => builder.append(i % 2, i, 0, 1, D16 * DAY + h * 3600));
  return builder.build();
}

describe('splitByDay', () => {
  it('holds out the last day with events by default; train is every earlier day', () => {
    const s = store([5, 30, 49, 71]); // 16th 05h, 17th 06h, 18th 01h, 18th 23h
    const split = splitByDay(s);
    expect(split).toEqual({
      testDay: D16 + 2,
      train: { start: D16 * DAY, end: (D16 + 2) * DAY },
      test: { start: (D16 + 2) * DAY, end: (D16 + 3) * DAY },
    });
    expect([countInWindow(s, split.train), countInWindow(s, split.test)]).toEqual([2, 2]);
  });

  it('takes the test day as YYYY-MM-DD or a day number; events after it are in neither window', () => {
    const s = store([5, 30, 49, 71]);
    const split = splitByDay(s, '2014-12-17');
    expect(split).toEqual(splitByDay(s, D16 + 1));
    expect([countInWindow(s, split.train), countInWindow(s, split.test)]).toEqual([1, 1]);
  });

  it('gives an empty train window when the test day is the first day or earlier', () => {
    const s = store([5, 30]);
    const early = splitByDay(s, D16 - 3);
    expect(early.train).toEqual({ start: (D16 - 3) * DAY, end: (D16 - 3) * DAY });
    expect(countInWindow(s, early.train)).toBe(0);
  });

  it('rejects an empty store, a malformed day and a fractional day', () => {
    expect(() => splitByDay(new EventStoreBuilder().build())).toThrowError(
      new RecGymError(ErrorCode.NO_EVENTS, 'cannot split an empty event log'),
    );
    expect(() => splitByDay(store([1]), '2014-02-30')).toThrow(RecGymError);
    expect(() => splitByDay(store([1]), 1.5)).toThrowError(new TypeError('expected an integer test day, actual 1.5'));
  });
});

describe('parseDay / formatDay / formatTime', () => {
  it('round-trips UTC days and rejects non-dates', () => {
    expect(parseDay('2014-12-18')).toBe(Date.UTC(2014, 11, 18) / 1000 / DAY);
    expect(formatDay(parseDay('2016-02-29'))).toBe('2016-02-29');
    for (const bad of ['2014-12-18 ', '2014-2-1', '2015-02-29', '18/12/2014', '']) {
      expect(() => parseDay(bad)).toThrowError(new RecGymError(ErrorCode.BAD_OPTION, `test day: expected a date YYYY-MM-DD, actual "${bad}"`));
    }
    expect(formatTime(Date.UTC(2014, 11, 18, 23) / 1000)).toBe('2014-12-18T23:00:00Z');
  });
});
