import { describe, expect, it } from 'vitest';
import { createRng } from '../../src/core/rng.js';
import { listEnvs, makeEnv } from '../../src/env/registry.js';
import { Box } from '../../src/env/spaces/box.js';
import { valueText } from '../../src/server/json-text.js';
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
