import { describe, expect, it } from 'vitest';
import { createRng } from '../../src/core/rng.js';
import { PopularityAgent, act, argmaxRows, checkBatch } from '../../src/agents/index.js';
import { itemOf, tinySplit, tinyStore } from '../eval/tiny-log.js';
import { StateBatch } from '../../src/data/state-batch.js';

describe('argmaxRows', () => {
  it('picks the largest score per row', () => {
    const s = Float64Array.from([0.1, 0.9, 0.3, 5, 4, NaN]);
    expect(Array.from(argmaxRows(s, 2, 3, createRng(0)))).toEqual([1, 0]);
    expect(Array.from(argmaxRows(Float64Array.from([NaN, 1]), 1, 2, createRng(0)))).toEqual([1]);
  });

  it('breaks ties uniformly at random and reproducibly with the seed', () => {
    const s = Float64Array.from([1, 3, 3, 0, 3]);
    const counts: Record<number, number> = {};
    for (let seed = 0; seed < 3000; seed++) {
      const [choice] = argmaxRows(s, 1, 5, createRng(seed));
      counts[choice] = (counts[choice] ?? 0) + 1;
    }
    expect(Object.keys(counts).sort()).toEqual(['1', '2', '4']);
    for (const c of Object.values(counts)) expect(Math.abs(c - 1000)).toBeLessThan(110);
    expect(argmaxRows(s, 1, 5, createRng(7))).toEqual(argmaxRows(s, 1, 5, createRng(7)));
  });
});

describe('act', () => {
  it("returns the index of the agent's best candidate per state", async () => {
    const store = tinyStore();
    const agent = new PopularityAgent();
    agent.fit(store, tinySplit(store).train, createRng(0));
    const batch = StateBatch.before(store, Int32Array.from([0, 1]), Int32Array.from([1, store.userOffsets[1]]));
    const candidates = Int32Array.from([10, 11, 12, 13, 12, 10].map((i) => itemOf(store, i)));
    expect(Array.from(await act(agent, batch, candidates, 3, createRng(0)))).toEqual([1, 1]);
  });
});

describe('checkBatch', () => {
  it("rejects a history longer than the user's events, an unknown user and mismatched lengths", () => {
    const store = tinyStore();
    const own = store.userOffsets[1] - store.userOffsets[0];
    const batch = (users: number[], lengths: number[]) => new StateBatch(store, Int32Array.from(users), Int32Array.from(lengths), new Int32Array(users.length));
    expect(() => checkBatch(batch([0], [own + 1]))).toThrow(/at most that user's events, actual user 0 with/);
    expect(() => checkBatch(batch([store.numUsers], [0]))).toThrow(/name a user of the log/);
    expect(() => batch([0], [0, 1])).toThrow(/equal length/);
    expect(() => checkBatch(batch([0, 1], [own, 0]))).not.toThrow();
  });
});
