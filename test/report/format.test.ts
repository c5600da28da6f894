import { describe, expect, it } from 'vitest';
import { ciSign, fmt, formatCount, formatInterval, jsonWithNulls, signed } from '../../src/report/format.js';

describe('fmt', () => {
  it('gives 4 decimals by default and a dash for what is not finite', () => {
    expect(fmt(0.46504)).toBe('0.4650');
    expect(fmt(2.5, 1)).toBe('2.5');
    expect(fmt(NaN)).toBe('—');
    expect(fmt(Infinity)).toBe('—');
  });
});

describe('signed', () => {
  it('signs positive values and zero too', () => {
    expect(signed(0.0108)).toBe('+0.0108');
    expect(signed(0)).toBe('+0.0000');
    expect(signed(-0.003)).toBe('-0.0030');
    expect(signed(NaN)).toBe('—');
  });
});

describe('formatCount', () => {
  it('groups thousands', () => {
    expect(formatCount(142805)).toBe('142,805');
    expect(formatCount(12)).toBe('12');
  });
});

describe('formatInterval', () => {
  it('writes mean [lo, hi], the spread over seeds when there is one, signed for a difference', () => {
    expect(formatInterval({ mean: 0.465, lo: 0.4459, hi: 0.4815 })).toBe('0.4650 [0.4459, 0.4815]');
    expect(formatInterval({ mean: 0.465, lo: 0.4459, hi: 0.4815, std: 0.0003 })).toBe('0.4650 [0.4459, 0.4815] ±0.0003');
    expect(formatInterval({ mean: 0.0108, lo: -0.003, hi: 0.0184 }, true)).toBe('+0.0108 [-0.0030, +0.0184]');
  });
});

describe('ciSign', () => {
  it('says on which side of 0 the interval lies', () => {
    expect(ciSign({ mean: 1, lo: 0.1, hi: 2 })).toBe('>0');
    expect(ciSign({ mean: -1, lo: -2, hi: -0.1 })).toBe('<0');
    expect(ciSign({ mean: 0, lo: -1, hi: 1 })).toBe('');
  });
});

describe('jsonWithNulls', () => {
  it('writes NaN and infinities as null, on one line or indented', () => {
    expect(jsonWithNulls({ a: NaN, b: [Infinity, 1] })).toBe('{"a":null,"b":[null,1]}');
    expect(jsonWithNulls({ a: 1 }, 2)).toBe('{\n  "a": 1\n}');
  });
});
