import { describe, expect, it } from 'vitest';
import { RejectCounter, formatRejects } from '../../src/data/rejects.js';

describe('RejectCounter', () => {
  describe('#add', () => {
    it('counts per reason, keeps five line numbers and the first message', () => {
      const counter = new RejectCounter();
      for (let line = 2; line <= 8; line++) counter.add('badTime', line, `m${line}`);
      counter.add('badId', 11);
      expect(counter.report.total).toBe(8);
      expect(counter.report.byReason.badTime).toEqual({ count: 7, firstLines: [2, 3, 4, 5, 6], firstMessage: 'm2' });
      expect(counter.report.byReason.badId).toEqual({ count: 1, firstLines: [11] });
      expect(counter.report.byReason.columnCount).toEqual({ count: 0, firstLines: [] });
    });
  });

  describe('#wantsMessage', () => {
    it('is true only until the first row of a reason', () => {
      const counter = new RejectCounter();
      expect(counter.wantsMessage('badId')).toBe(true);
      counter.add('badId', 3, 'x');
      expect(counter.wantsMessage('badId')).toBe(false);
      expect(counter.wantsMessage('badTime')).toBe(true);
    });
  });
});

describe('formatRejects', () => {
  it('summarises the reasons that occurred', () => {
    const counter = new RejectCounter();
    expect(formatRejects(counter.report)).toBe('');
    counter.add('badId', 7);
    for (let line = 10; line < 16; line++) counter.add('columnCount', line);
    expect(formatRejects(counter.report)).toBe('7 rows skipped: 6 columnCount (lines 10, 11, 12, 13, 14, …), 1 badId (line 7)');
  });
});
