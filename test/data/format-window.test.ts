import { describe, expect, it } from 'vitest';
import { formatWindow, isoWindow } from '../../src/data/split.js';

const DAY = 86400;
const DEC_17 = Date.UTC(2014, 11, 17) / 1000;

describe('formatWindow', () => {
  it('prints whole days half-open, with dates', () => {
    expect(formatWindow({ start: DEC_17 - 29 * DAY, end: DEC_17 })).toBe('[2014-11-18, 2014-12-17)');
  });

  it('names a window of exactly one day by its date', () => {
    expect(formatWindow({ start: DEC_17, end: DEC_17 + DAY })).toBe('2014-12-17');
  });

  it('prints times when a bound is not a midnight', () => {
    expect(formatWindow({ start: DEC_17 + 3600, end: DEC_17 + DAY })).toBe('[2014-12-17T01:00:00Z, 2014-12-18T00:00:00Z)');
  });

  it('reads the ISO form reports hold the same way', () => {
    const window = { start: DEC_17 - 2 * DAY, end: DEC_17 };
    expect(formatWindow(isoWindow(window))).toBe(formatWindow(window));
    expect(isoWindow(window)).toEqual({ start: '2014-12-15T00:00:00Z', end: '2014-12-17T00:00:00Z' });
  });
});
