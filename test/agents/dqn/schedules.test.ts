import { describe, expect, it } from 'vitest';
import { parseDqnConfig } from '../../../src/agents/dqn/config.js';
import { exponentialSchedule, linearSchedule } from '../../../src/agents/dqn/schedules.js';

describe('linearSchedule', () => {
  it('falls linearly then stays at the end value', () => {
    const eps = linearSchedule(1, 0.1, 10);
    expect(eps(0)).toBe(1);
    expect(eps(5)).toBeCloseTo(0.55, 12);
    expect(eps(10)).toBe(0.1);
    expect(eps(1000)).toBe(0.1);
  });

  it('rejects values outside [0, 1] and a non-positive duration', () => {
    expect(() => linearSchedule(1.5, 0, 10)).toThrow(RangeError);
    expect(() => linearSchedule(1, 0, 0)).toThrow(RangeError);
  });
});

describe('exponentialSchedule', () => {
  it('decays geometrically down to the floor', () => {
    const eps = exponentialSchedule(1, 0.2, 0.5);
    expect(eps(1)).toBe(0.5);
    expect(eps(2)).toBe(0.25);
    expect(eps(3)).toBe(0.2);
  });

  it('rejects a decay outside (0, 1]', () => {
    expect(() => exponentialSchedule(1, 0, 0)).toThrow(RangeError);
    expect(() => exponentialSchedule(1, 0, 1.1)).toThrow(RangeError);
  });
});

describe('parseDqnConfig', () => {
  it('fills defaults', () => {
    const config = parseDqnConfig({});
    expect(config.supervisedHead).toBe(true);
    expect(config.gamma).toBe(0.9);
  });

  it('names the bad field', () => {
    expect(() => parseDqnConfig({ gamma: 2 })).toThrow(/gamma/);
    expect(() => parseDqnConfig({ unknownField: 1 })).toThrow(TypeError);
  });

  it('refuses the fields of the removed supervised ranking head by name (the ranker agent has them now)', () => {
    expect(() => parseDqnConfig({ scoreHead: 'supervised' })).toThrow(/scoreHead/);
    expect(() => parseDqnConfig({ supervisedEmbeddings: false })).toThrow(/supervisedEmbeddings/);
  });
});
