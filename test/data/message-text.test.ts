import { describe, expect, it } from 'vitest';
import { quoteText } from '../../src/data/message-text.js';

describe('quoteText', () => {
  it('quotes, clips and escapes every character a terminal would act on', () => {
    expect(quoteText('2014-12-18')).toBe('"2014-12-18"');
    expect(quoteText('a\u001b[2J\u0000\u007f\u009b\u2028\u202eb')).toBe('"a\\u001b[2J\\u0000\\u007f\\u009b\\u2028\\u202eb"');
    expect(quoteText('M\u00fcnchen \u5317\u4eac')).toBe('"M\u00fcnchen \u5317\u4eac"');
    expect(quoteText('x'.repeat(70))).toBe(`"${'x'.repeat(57)}..."`);
  });
});
