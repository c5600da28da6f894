import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { createRng } from '../../src/core/rng.js';
import { EventStoreBuilder } from '../../src/data/event-store.js';
import { splitByDay } from '../../src/data/split.js';
import { fitAgent } from '../../src/agents/registry.js';
import { buildTestCases } from '../../src/eval/test-cases.js';
import { prepareEvaluation, rankCases } from '../../src/eval/evaluate.js';
import { rankInSubset, rankSparse, sortedSubset } from '../../src/eval/ranking.js';
import { D0 } from './tiny-log.js';

describe('rankSparse', () => {
  it('equals dense ranking of base-with-changes, ties and NaN included', () => {
    const base = Float64Array.from([1, 2, 2, NaN, 0.5, 3]);
    const subset = Int32Array.from([0, 1, 2, 3, 5]);
    const inSubset = Uint8Array.from([1, 1, 1, 1, 0, 1]);
    const sorted = sortedSubset(base, subset);
    expect(Array.from(sorted)).toEqual([1, 2, 2, 3]);
    const items = Int32Array.from([5, 4, 0]);
    const scores = Float64Array.from([2, 9, 2]);
    const dense = Float64Array.from([2, 2, 2, NaN, 9, 2]);
    for (const u of [0, 0.3, 0.6, 0.99]) {
      expect(rankSparse(sorted, base, inSubset, items, scores, 0, 3, 2, u)).toBe(rankInSubset(dense, 0, subset, 2, u));
    }
  });
});

describe('rankCases', () => {
  it('gives the same ranks through sparse scores and dense rows for every count baseline', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.tuple(fc.integer({ min: 1, max: 6 }), fc.integer({ min: 1, max: 15 }), fc.integer({ min: 1, max: 4 }), fc.integer({ min: 0, max: 71 })), {
          minLength: 5,
          maxLength: 80,
        }),
        fc.constantFrom<'train' | 'all'>('train', 'all'),
        async (rows, catalogue) => {
          const b = new EventStoreBuilder();
          for (const [user, item, behavior, hour] of rows) b.append(user, item, 1, behavior as 1, D0 + hour * 3600);
          const store = b.build();
          const split = splitByDay(store, '2014-12-18');
          const cases = buildTestCases(store, split, { catalogue });
          const setup = prepareEvaluation(store, cases, 'full', { seed: 1 });
          for (const name of ['popularity', 'recent', 'cooccurrence']) {
            const agent = await fitAgent(name, store, split.train, createRng(0));
            const sparse = await rankCases(agent, setup, { batchSize: 3 });
            const dense = await rankCases(agent, setup, { batchSize: 2, dense: true });
            expect(Array.from(sparse)).toEqual(Array.from(dense));
          }
        },
      ),
      { numRuns: 60 },
    );
  });
});
