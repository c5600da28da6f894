import { describe, expect, it } from 'vitest';
import { fitAgent } from '../../src/agents/registry.js';
import { createRng } from '../../src/core/rng.js';
import { makeEnv, makeVectorEnv } from '../../src/env/registry.js';
import { Box } from '../../src/env/spaces/box.js';
import { Dict } from '../../src/env/spaces/dict.js';
import { Discrete } from '../../src/env/spaces/discrete.js';
import { Slate } from '../../src/env/spaces/slate.js';
import { splitByDay } from '../../src/data/split.js';
import { fittedPerSeed } from '../../src/run/fitted-per-seed.js';
import { tinyStore } from '../env/fixtures.js';

const ID = 'Tianchi-Replay-v0';
const store = tinyStore();

/** The error `run` throws (it must throw). */
function thrown(run: () => unknown): Error {
  try {
    run();
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected a throw, actual none');
}

describe('Space#sample without an Rng', () => {
  it.each([
    ['Discrete(5)', new Discrete(5)],
    ['Box', new Box({ low: 0, high: 1, shape: [2], dtype: 'float32' })],
    ['Slate(2 of 3 items)', new Slate({ size: 2, items: 3 })],
    ['Dict', new Dict({ a: new Discrete(2) })],
  ])('%s throws a TypeError saying an Rng is expected', (name, space) => {
    for (const bad of [undefined, 42, {}]) {
      const error = thrown(() => space.sample(bad as never));
      expect(error).toBeInstanceOf(TypeError);
      expect(error.message).toMatch(new RegExp(`^${name.replace(/[()]/g, '\\$&')}.*\\.sample: expected an Rng \\(createRng\\(seed\\)\\), actual `));
      expect(error.message).not.toContain('Cannot read properties');
    }
  });

  it('an env action space says the same, and samples with an Rng', () => {
    const env = makeEnv(ID, { store });
    expect(() => env.actionSpace.sample(undefined as never)).toThrow('Discrete(5).sample: expected an Rng (createRng(seed)), actual undefined');
    expect(env.actionSpace.contains(env.actionSpace.sample(createRng(1)))).toBe(true);
  });
});

describe('makeEnv option validation', () => {
  it('names an unknown option in a short message, with or without a store', () => {
    for (const options of [{ bogus: 1 }, { store, bogus: 1 }]) {
      const error = thrown(() => makeEnv(ID, options as never));
      expect(error).toBeInstanceOf(TypeError);
      expect(error.message).toMatch(/^makeEnv\("Tianchi-Replay-v0"\) options: unknown option "bogus": expected store, split, /);
      expect(error.message.length).toBeLessThan(400);
    }
  });

  it('describes big or odd values instead of serialising them', () => {
    const big = thrown(() => makeEnv(ID, { store, numCandidates: new Array(1_000_000).fill(7) } as never));
    expect(big).toBeInstanceOf(TypeError);
    expect(big.message).toBe('makeEnv("Tianchi-Replay-v0") options: numCandidates: Invalid input: expected number, received array (actual Array(1000000))');
    const long = thrown(() => makeEnv(ID, { store, split: 'x'.repeat(1_000_000) } as never));
    expect(long.message.length).toBeLessThan(400);
    const many = thrown(() => makeEnv(ID, { store, mode: 1, split: 2, negatives: 3, catalogue: 4, historyLength: 'x' } as never));
    expect(many.message).toMatch(/; and 2 more$/);
    expect(thrown(() => makeEnv(ID, 5 as never)).message).toBe('makeEnv("Tianchi-Replay-v0") options: expected an object, actual 5');
    expect(thrown(() => makeVectorEnv(ID, { store, numEnvs: 0 })).message).toBe('makeVectorEnv("Tianchi-Replay-v0") options: numEnvs: expected an integer >= 1, actual 0');
  });
});

describe('seeds', () => {
  it('createRng takes seeds 0 .. 2^53 - 1 and non-empty derived strings, and refuses the rest', () => {
    expect(createRng(0).next()).toBe(createRng(0).next());
    expect(createRng('3:agent').next()).toBe(createRng('3:agent').next());
    expect(() => createRng(-1)).toThrow(new RangeError('createRng: expected a seed (an integer 0 .. 9007199254740991), actual -1'));
    expect(() => createRng(2 ** 53)).toThrow(RangeError);
    expect(() => createRng(1.5)).toThrow(new TypeError('createRng: expected a seed (an integer 0 .. 9007199254740991), actual 1.5'));
    expect(() => createRng('')).toThrow(TypeError);
    expect(() => createRng(null as never)).toThrow(TypeError);
  });

  it.each([['x'], [1.5], [-1]])('makeEnv, reset and the vector env refuse the seed %j', (seed) => {
    expect(() => makeEnv(ID, { store, seed } as never)).toThrow(/^makeEnv\("Tianchi-Replay-v0"\) options: seed: /);
    const env = makeEnv(ID, { store });
    expect(() => env.reset({ seed } as never)).toThrow(/^RecommendationEnv\.reset seed: expected a seed \(an integer 0 \.\. 9007199254740991\), actual /);
    const vector = makeVectorEnv(ID, { store, numEnvs: 2 });
    expect(() => vector.reset({ seed } as never)).toThrow(/^VectorRecommendationEnv\.reset seed: expected a seed/);
  });

  it('an agent fitted per evaluation seed refuses a bad seed before fitting', () => {
    const fitForSeed = fittedPerSeed('popularity', store, splitByDay(store).train);
    for (const seed of ['x', 1.5, -1]) expect(() => fitForSeed(seed as never)).toThrow(/^fittedPerSeed\("popularity"\) seed: expected a seed/);
  });

  it('fitAgent without an Rng says so instead of failing inside the agent', async () => {
    await expect(fitAgent('random', store, splitByDay(store).train, undefined as never)).rejects.toThrow(
      new TypeError('fitAgent("random"): expected an Rng (createRng(seed)), actual undefined'),
    );
  });
});
