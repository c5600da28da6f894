import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { appendNoValidationCases } from '../helpers/no-validation-cases.js';
import { TINY_DQN } from '../helpers/tiny-dqn.js';
import { ErrorCode } from '../../src/core/errors.js';
import { storeColumns, storeFromColumns } from '../../src/data/event-store.js';
import { createDefaultEventStore } from '../../src/sim/default-data.js';

// Worker threads run compiled JavaScript: these tests drive the built package (`npm run build`,
// which `npm ci` runs), whose worker module sits beside compare.js in dist/.
const DIST = new URL('../../dist/src/run/compare.js', import.meta.url);

/** runComparison and the store helpers from the built package (one EventStore class for both). */
async function built() {
  const [{ runComparison }, { createDefaultEventStore: createStore }, { splitByDay: split }, { EventStoreBuilder: Builder }] = await Promise.all([
    import(DIST.href) as Promise<typeof import('../../src/run/compare.js')>,
    import(new URL('../../dist/src/sim/default-data.js', import.meta.url).href) as Promise<typeof import('../../src/sim/default-data.js')>,
    import(new URL('../../dist/src/data/split.js', import.meta.url).href) as Promise<typeof import('../../src/data/split.js')>,
    import(new URL('../../dist/src/data/event-store.js', import.meta.url).href) as Promise<typeof import('../../src/data/event-store.js')>,
  ]);
  return { runComparison, createStore, split, Builder };
}

describe('storeColumns / storeFromColumns', () => {
  it('rebuild the same store: columns, dense ids, offsets, item categories', () => {
    const store = createDefaultEventStore({ users: 30, days: 5, items: 120, categories: 6 });
    const copy = storeFromColumns(structuredClone(storeColumns(store)));
    expect(copy.length).toBe(store.length);
    for (const key of ['users', 'items', 'categories', 'behaviors', 'times', 'userOffsets', 'itemCategory'] as const) {
      expect(Array.from(copy[key])).toEqual(Array.from(store[key]));
    }
    for (const ids of ['userIds', 'itemIds', 'categoryIds'] as const) expect(Array.from(copy[ids].rawIds())).toEqual(Array.from(store[ids].rawIds()));
    expect([copy.minTime, copy.maxTime]).toEqual([store.minTime, store.maxTime]);
  });
});

describe('runComparison with jobs > 1 (learners in worker threads)', () => {
  it('needs the built package', () => {
    expect(existsSync(new URL('../../dist/src/run/training-worker.js', import.meta.url)), 'dist/ is missing: run npm run build').toBe(true);
  });

  it('gives exactly the results of training one learner after another', async () => {
    const { runComparison, createStore, split: splitOf } = await built();
    const store = createStore({ users: 60, days: 6, items: 300, categories: 10 });
    const split = splitOf(store);
    const variants = [
      { name: 'ranker', agent: 'ranker' as const, config: { epochs: 2, passesPerEpoch: 1, batchSize: 64, uniformNegatives: 16 } },
      { name: 'dqn', agent: 'dqn' as const, config: { ...TINY_DQN, epochs: 2 } },
    ];
    const lines: string[] = [];
    const compare = (jobs: number) =>
      runComparison({ store, split, data: 'tiny', command: 'test', variants, baselines: ['recent'], protocols: ['full'], resamples: 50, jobs, log: (l) => lines.push(l) });
    const [one, two] = [await compare(1), await compare(2)];
    expect(two.table).toEqual(one.table);
    expect(two.differences).toEqual(one.differences);
    expect(two.learnerDifferences).toEqual(one.learnerDifferences);
    const strip = (report: typeof one) => report.learners.map((v) => v.runs.map((r) => r.epochs.map(({ seconds, evalSeconds, transitionsPerSec, wallTransitionsPerSec, ...rest }) => rest)));
    expect(strip(two)).toEqual(strip(one));
    expect(lines.some((l) => l.startsWith('[ranker] epoch 1/2'))).toBe(true);
    expect(lines.some((l) => l.startsWith('[dqn] epoch 1/2'))).toBe(true);
  }, 120_000);

  it('keeps the code of a RecGymError raised in a worker', async () => {
    const { runComparison, split: splitOf, Builder } = await built();
    const builder = new Builder();
    appendNoValidationCases(builder);
    const small = builder.build();
    const run = runComparison({
      store: small,
      split: splitOf(small),
      data: 'small',
      command: 'test',
      variants: [
        { name: 'ranker', agent: 'ranker', config: {} },
        { name: 'dqn', agent: 'dqn', config: TINY_DQN },
      ],
      baselines: ['recent'],
      jobs: 2,
    });
    // The error comes from dist's RecGymError class: compare by name and code, not by instanceof.
    await expect(run).rejects.toSatisfy(
      (e: unknown) => (e as Error).name === 'RecGymError' && (e as { code?: string }).code === ErrorCode.NO_TEST_CASES && /expected validation cases/.test((e as Error).message),
    );
  }, 60_000);
});
