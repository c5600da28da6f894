import { describe, expect, it } from 'vitest';
import { PopularityAgent, RandomAgent } from '../../src/agents/index.js';
import { createRng } from '../../src/core/rng.js';
import { evaluate } from '../../src/eval/evaluate.js';
import { fittedPerSeed } from '../../src/run/fitted-per-seed.js';
import { tinySplit, tinyStore } from '../eval/tiny-log.js';

const store = tinyStore();
const split = tinySplit(store);

describe('fittedPerSeed', () => {
  it('fits the registered agent on the training window with the stream "<seed>:agent" for each seed', async () => {
    const common = { store, split, catalogue: 'all' as const, protocol: 'seed' as const, seeds: [0, 1, 2], resamples: 20 };
    const byName = await evaluate({ ...common, agents: [fittedPerSeed('random', store, split.train), fittedPerSeed('popularity', store, split.train, { unweighted: true })] });
    const byHand = await evaluate({
      ...common,
      agents: [
        (seed) => {
          const agent = new RandomAgent();
          agent.fit(store, split.train, createRng(`${seed}:agent`));
          return agent;
        },
        (seed) => {
          const agent = new PopularityAgent({ unweighted: true });
          agent.fit(store, split.train, createRng(`${seed}:agent`));
          return agent;
        },
      ],
    });
    expect(byName).toEqual(byHand);
  });

  it('refuses an unknown name when the agent is fitted', async () => {
    await expect(fittedPerSeed('nobody', store, split.train)(0)).rejects.toThrow(/expected one of/);
  });
});
