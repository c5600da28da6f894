import { describe, expect, it } from 'vitest';
import { UsageError, intFlag, parseFlags } from '../../src/cli/command.js';

describe('intFlag', () => {
  it('parses decimal integers within the range and falls back when absent', () => {
    expect(intFlag('users', '1500', 7, 1)).toBe(1500);
    expect(intFlag('seed', '-3', 0)).toBe(-3);
    expect(intFlag('users', undefined, 7, 1)).toBe(7);
  });

  it('rejects exponents, fractions, hex, blanks and values out of range, naming the flag', () => {
    for (const value of ['1e3', '1.5', '0x10', '', 'ten', '9007199254740993']) {
      expect(() => intFlag('users', value, 7, 1)).toThrow(UsageError);
    }
    expect(() => intFlag('users', '0', 7, 1)).toThrow('--users: expected an integer >= 1, actual "0"');
    expect(() => intFlag('k', '30', 7, 1, 20)).toThrow('--k: expected an integer >= 1 and <= 20, actual "30"');
  });
});

describe('parseFlags', () => {
  it('turns unknown flags into a UsageError', () => {
    expect(() => parseFlags(['--nope'], { json: { type: 'boolean' } })).toThrow(UsageError);
    expect(parseFlags(['--json', 'file'], { json: { type: 'boolean' } })).toMatchObject({ values: { json: true }, positionals: ['file'] });
  });
});
