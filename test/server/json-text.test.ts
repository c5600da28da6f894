import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createRng } from '../../src/core/rng.js';
import { listEnvs, makeEnv } from '../../src/env/registry.js';
import { Box } from '../../src/env/spaces/box.js';
import { jsonText, toJson, valueText } from '../../src/server/json-text.js';
import { encodeValue } from '../../src/server/wire.js';

describe('valueText', () => {
  it('writes exactly what JSON.stringify writes of encodeValue, for observations of every registered env', () => {
    const rng = createRng('value-text');
    for (const { id } of listEnvs()) {
      const env = makeEnv(id, { seed: 1 });
      let { observation } = env.reset();
      for (let t = 0; t < 50; t++) {
        const floats = new Box({ low: -1e6, high: 1e6, shape: [4], dtype: t % 2 === 0 ? 'float32' : 'float64' });
        const special = floats.sample(rng) as Float32Array;
        special[t % 4] = [Number.NaN, Number.POSITIVE_INFINITY, -0, 1e-7][t % 4];
        expect(valueText(floats, special)).toBe(JSON.stringify(encodeValue(floats, special)));
        expect(valueText(env.observationSpace, observation), id).toBe(JSON.stringify(encodeValue(env.observationSpace, observation)));
        const sample = env.observationSpace.sample(rng);
        expect(valueText(env.observationSpace, sample), id).toBe(JSON.stringify(encodeValue(env.observationSpace, sample)));
        const result = env.step(env.actionSpace.sample(rng));
        observation = result.terminated || result.truncated ? env.reset().observation : result.observation;
      }
    }
  });
});

describe('jsonText', () => {
  const expected = (value: unknown) => JSON.stringify(toJson(value));

  it('writes what JSON.stringify writes of toJson, for step and reset infos of every registered env', () => {
    const rng = createRng('json-text');
    for (const { id } of listEnvs()) {
      const env = makeEnv(id, { seed: 2 });
      const { info: resetInfo } = env.reset();
      expect(jsonText(resetInfo), id).toBe(expected(resetInfo));
      for (let t = 0; t < 30; t++) {
        const { info, terminated, truncated } = env.step(env.actionSpace.sample(rng));
        expect(jsonText(info), id).toBe(expected(info));
        if (terminated || truncated) env.reset();
      }
    }
  });

  it('writes what JSON.stringify writes of toJson for values plain JSON does not cover', () => {
    const values: unknown[] = [
      undefined,
      () => 1,
      Number.NaN,
      { a: Int32Array.of(1, -2), b: [Float64Array.of(Number.NaN, 1.5)] },
      { n: Number.NaN, i: Number.POSITIVE_INFINITY, z: -0, u: undefined, f: () => 1, list: [undefined, () => 2, Number.NEGATIVE_INFINITY] },
      { when: new Date(0), big: 10n, symbol: Symbol('s') },
      { nested: { toJSON: () => 'custom' } },
      Object.assign(Object.create(null), { a: 1, b: [2] }),
      [new Map([[1, 2]]), new Set([1])],
    ];
    for (const value of values) expect(jsonText(value)).toBe(expected(value));
  });

  it('agrees with JSON.stringify of toJson on arbitrary values (property)', () => {
    fc.assert(
      fc.property(
        fc.anything({ withTypedArray: true, withBigInt: true, withDate: true, withMap: true, withSet: true, withNullPrototype: true, withSparseArray: true, withBoxedValues: true }),
        (value) => {
          expect(jsonText(value)).toBe(expected(value));
        },
      ),
      { numRuns: 2000 },
    );
  });
});
