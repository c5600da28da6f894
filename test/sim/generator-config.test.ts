import { describe, expect, it } from 'vitest';
import { ErrorCode, isRecGymError } from '../../src/core/errors.js';
import { DEFAULT_GENERATOR_CONFIG, parseGeneratorConfig } from '../../src/sim/generator-config.js';

describe('parseGeneratorConfig', () => {
  it('fills every field from the defaults', () => {
    expect(parseGeneratorConfig({})).toEqual(DEFAULT_GENERATOR_CONFIG);
    expect(DEFAULT_GENERATOR_CONFIG).toMatchObject({ days: 31, start: '2014-11-18' });
  });

  it('keeps given fields', () => {
    expect(parseGeneratorConfig({ users: 7, seed: 'abc' })).toMatchObject({ users: 7, seed: 'abc', days: 31 });
  });

  it('accepts the first and last days the store holds', () => {
    expect(parseGeneratorConfig({ start: '1970-01-01', days: 1 }).start).toBe('1970-01-01');
    expect(parseGeneratorConfig({ start: '2038-01-17', days: 2 }).days).toBe(2);
  });

  it.each([
    [{ users: 0 }, 'users'],
    [{ users: 1.5 }, 'users'],
    [{ days: 0 }, 'days'],
    [{ start: '2014-13-01' }, 'start'],
    [{ start: '18.11.2014' }, 'start'],
    [{ cartRate: 2 }, 'cartRate'],
    [{ bogus: 1 } as never, 'bogus'],
    [{ repeatProbability: 0.7, revisitProbability: 0.5 }, 'repeatProbability + revisitProbability'],
    [{ start: '1969-12-31' }, 'start: expected the days [start, start + days) within [1970-01-01, 2038-01-19)'],
    [{ start: '2038-01-18', days: 2 }, 'start: expected the days [start, start + days) within [1970-01-01, 2038-01-19)'],
  ])('rejects %j naming the field', (options, field) => {
    let caught: unknown;
    try {
      parseGeneratorConfig(options);
    } catch (error) {
      caught = error;
    }
    expect(isRecGymError(caught, ErrorCode.BAD_OPTION)).toBe(true);
    expect((caught as Error).message).toContain(field);
  });
});
