import { describe, expect, it } from 'vitest';
import { createRng } from '../../src/core/rng.js';
import { isRecGymError, ErrorCode } from '../../src/core/errors.js';
import { EventStoreBuilder } from '../../src/data/event-store.js';
import { splitByDay } from '../../src/data/split.js';
import {
  CooccurrenceAgent,
  PopularityAgent,
  RandomAgent,
  RecentAgent,
  agentSpec,
  computePopularity,
  countTransitions,
  fitAgent,
  popularityTieBreak,
  type Agent,
  StateBatch,
} from '../../src/agents/index.js';
import { D0, TEST, itemOf, tinySplit, tinyStore, userOf } from '../eval/tiny-log.js';

const store = tinyStore();
const split = tinySplit(store);
const raw = (items: number[]) => items.map((i) => itemOf(store, i));
const u1 = userOf(store, 1);
const u2 = userOf(store, 2);
const start1 = store.userOffsets[u1];
/** u1 before its test event on item 12 (history 10, 11, 10, 10) and u2 before its test event (12, 13, 12). */
const batch = StateBatch.before(store, Int32Array.from([u1, u2]), Int32Array.from([start1 + 4, store.userOffsets[u2] + 3]));
const ITEMS = [10, 11, 12, 13, 99, 14];

function byRawItem(agent: Agent): Array<Record<number, number>> {
  const out = new Float64Array(2 * store.numItems);
  agent.scoreItems(batch, out);
  return [0, 1].map((row) => Object.fromEntries(ITEMS.map((i) => [i, out[row * store.numItems + itemOf(store, i)]])));
}

function candidateScores(agent: Agent, rows: number[][]): number[][] {
  const c = rows[0].length;
  const out = new Float64Array(2 * c);
  agent.scoreCandidates(batch, Int32Array.from(rows.flatMap((r) => raw(r))), c, out);
  return [Array.from(out.subarray(0, c)), Array.from(out.subarray(c))];
}

describe('computePopularity', () => {
  it('weights click 1, favourite 2, cart 3, purchase 4 over training events only', () => {
    const pop = computePopularity(store, split.train);
    expect(Object.fromEntries(ITEMS.map((i) => [i, pop[itemOf(store, i)]]))).toEqual({ 10: 2, 11: 7, 12: 3, 13: 1, 99: 0, 14: 0 });
  });

  it('counts every event as 1 when unweighted', () => {
    const pop = computePopularity(store, split.train, { unweighted: true });
    expect(Array.from(raw([10, 11, 12, 13, 99]), (i) => pop[i])).toEqual([2, 2, 2, 1, 0]);
  });

  it('halves an event per half-life before the end of training', () => {
    const pop = computePopularity(store, split.train, { halfLifeHours: 24 });
    // item 10: clicks 47 h and 23 h before the test day
    expect(pop[itemOf(store, 10)]).toBeCloseTo(0.5 ** (47 / 24) + 0.5 ** (23 / 24), 12);
    // item 11: cart 46 h before, purchase 14 h before
    expect(pop[itemOf(store, 11)]).toBeCloseTo(3 * 0.5 ** (46 / 24) + 4 * 0.5 ** (14 / 24), 12);
    expect(() => computePopularity(store, split.train, { halfLifeHours: 0 })).toThrow(RangeError);
  });
});

describe('popularityTieBreak', () => {
  it('maps popularity to its dense rank in [0, 1), 0 included as a level', () => {
    expect(Array.from(popularityTieBreak(Float64Array.from([2, 7, 3, 1, 0, 0, 3])))).toEqual([0.4, 0.8, 0.6, 0.2, 0, 0, 0.6]);
    expect(Array.from(popularityTieBreak(Float64Array.from([5, 5])))).toEqual([0.5, 0.5]);
  });
});

describe('PopularityAgent', () => {
  it('scores items by popularity whatever the state; unknown ids score 0', () => {
    const agent = new PopularityAgent();
    agent.fit(store, split.train, createRng(0));
    expect(byRawItem(agent)).toEqual([
      { 10: 2, 11: 7, 12: 3, 13: 1, 99: 0, 14: 0 },
      { 10: 2, 11: 7, 12: 3, 13: 1, 99: 0, 14: 0 },
    ]);
    const out = new Float64Array(4);
    agent.scoreCandidates(batch, Int32Array.from([itemOf(store, 11), 999, itemOf(store, 12), -1]), 2, out);
    expect(Array.from(out)).toEqual([7, 0, 3, 0]);
  });
});

describe('RecentAgent', () => {
  it("ranks the user's own items by last interaction, then the rest by popularity", () => {
    const agent = new RecentAgent();
    agent.fit(store, split.train, createRng(0));
    // u1: 10 last at history index 3, 11 at 1; u2: 12 at 2, 13 at 1; others: popularity rank / 5
    expect(byRawItem(agent)).toEqual([
      { 10: 5, 11: 3, 12: 0.6, 13: 0.2, 99: 0, 14: 0 },
      { 10: 0.4, 11: 0.8, 12: 4, 13: 3, 99: 0, 14: 0 },
    ]);
    expect(candidateScores(agent, [[12, 10, 99], [13, 10, 11]])).toEqual([
      [0.6, 5, 0],
      [3, 0.4, 0.8],
    ]);
  });

  it('sees earlier test-day events of the state, and nothing after it', () => {
    const agent = new RecentAgent();
    agent.fit(store, split.train, createRng(0));
    const later = StateBatch.before(store, Int32Array.from([u1]), Int32Array.from([start1 + 6]));
    const out = new Float64Array(store.numItems);
    agent.scoreItems(later, out);
    expect(out[itemOf(store, 99)]).toBe(7); // the cold item 99 touched at history index 5
    expect(out[itemOf(store, 12)]).toBe(6);
    const first = StateBatch.before(store, Int32Array.from([u1]), Int32Array.from([start1 + 1]));
    agent.scoreItems(first, out);
    expect(out[itemOf(store, 10)]).toBe(2);
    expect(out[itemOf(store, 11)]).toBe(0.8);
  });
});

describe('countTransitions', () => {
  it('counts consecutive training pairs per user, self-transitions included, nothing across users or windows', () => {
    const b = new EventStoreBuilder();
    for (const [u, item, t] of [
      [1, 5, D0],
      [1, 5, D0 + 1],
      [1, 6, D0 + 2],
      [1, 5, D0 + 3],
      [1, 7, TEST + 1], // test day: no transition 5 -> 7
      [2, 6, D0 + 4],
      [2, 5, D0 + 5],
    ]) {
      b.append(u, item, 1, 1, t);
    }
    const s = b.build();
    const { rowStart, next, counts } = countTransitions(s, splitByDay(s, '2014-12-18').train);
    const row = (rawItem: number) => {
      const a = s.itemIds.get(rawItem);
      const entries: Record<number, number> = {};
      for (let e = rowStart[a]; e < rowStart[a + 1]; e++) entries[s.itemIds.rawOf(next[e])] = counts[e];
      return entries;
    };
    expect(row(5)).toEqual({ 5: 1, 6: 1 });
    expect(row(6)).toEqual({ 5: 2 });
    expect(row(7)).toEqual({});
  });
});

describe('CooccurrenceAgent', () => {
  it('scores from the last three events with weights 1, 0.5, 0.25, popularity breaking ties', () => {
    const agent = new CooccurrenceAgent();
    agent.fit(store, split.train, createRng(0));
    // u1 last three: 10 (1), 10 (0.5), 11 (0.25): 11 <- 1.5 * count(10->11), 10 <- 0.25 * count(11->10)
    // u2 last three: 12 (1), 13 (0.5), 12 (0.25): 13 <- 1.25, 12 <- 0.5; plus 0.125 * popularity rank / 5
    const [a, b] = byRawItem(agent);
    const expected: Array<Record<number, number>> = [
      { 10: 0.25 + 0.05, 11: 1.5 + 0.1, 12: 0.075, 13: 0.025, 99: 0, 14: 0 },
      { 10: 0.05, 11: 0.1, 12: 0.5 + 0.075, 13: 1.25 + 0.025, 99: 0, 14: 0 },
    ];
    for (const i of ITEMS) {
      expect(a[i]).toBeCloseTo(expected[0][i], 14);
      expect(b[i]).toBeCloseTo(expected[1][i], 14);
    }
    const [ca, cb] = candidateScores(agent, [[11, 10, 13], [13, 12, 99]]);
    expect(ca).toEqual([a[11], a[10], a[13]]);
    expect(cb).toEqual([b[13], b[12], 0]);
  });

  it('keeps exact ties when co-occurrence and popularity are equal', () => {
    const b = new EventStoreBuilder();
    // user 1: 1 -> 2 and 1 -> 3 once each; items 2 and 3 equally popular
    for (const [u, item, t] of [
      [1, 1, D0],
      [1, 2, D0 + 1],
      [1, 1, D0 + 2],
      [1, 3, D0 + 3],
      [1, 1, TEST + 1],
    ]) {
      b.append(u, item, 1, 1, t);
    }
    const s = b.build();
    const agent = new CooccurrenceAgent();
    agent.fit(s, splitByDay(s, '2014-12-18').train, createRng(0));
    const out = new Float64Array(s.numItems);
    // state: whole history before the test event; last three 3 (w 1, no transition out of 3), 1 (w .5), 2 (w .25)
    agent.scoreItems(StateBatch.before(s, Int32Array.from([0]), Int32Array.from([4])), out);
    const [i1, i2, i3] = [1, 2, 3].map((r) => out[s.itemIds.get(r)]);
    expect(i2).toBe(i3); // 0.5 * count(1 -> 2) = 0.5 * count(1 -> 3), same popularity 1
    expect(i2).toBeCloseTo(0.5 + 0.125 / 3, 15);
    expect(i1).toBeCloseTo(0.25 + (0.125 * 2) / 3, 15); // 0.25 * count(2 -> 1); more popular, still below
  });
});

describe('RandomAgent', () => {
  it('draws scores in [0, 1) reproducibly from its seed', () => {
    const scores = (seed: number) => {
      const agent = new RandomAgent();
      agent.fit(store, split.train, createRng(seed));
      const out = new Float64Array(2 * store.numItems);
      agent.scoreItems(batch, out);
      const cand = new Float64Array(10);
      agent.scoreCandidates(batch, new Int32Array(10), 5, cand);
      return [...out, ...cand];
    };
    expect(scores(1)).toEqual(scores(1));
    expect(scores(1)).not.toEqual(scores(2));
    expect(scores(1).every((x) => x >= 0 && x < 1)).toBe(true);
    expect(() => new RandomAgent().scoreCandidates(batch, new Int32Array(2), 1, new Float64Array(2))).toThrow(/fit/);
  });
});

describe('registry', () => {
  it('fits agents by name and rejects unknown names with the known ones', async () => {
    const agent = await fitAgent('popularity', store, split.train, createRng(0), { unweighted: true });
    expect(agent.name).toBe('popularity');
    expect((agent as PopularityAgent).popularity[itemOf(store, 11)]).toBe(2);
    let error: unknown;
    try {
      agentSpec('dqn-from-the-future');
    } catch (e) {
      error = e;
    }
    expect(isRecGymError(error, ErrorCode.UNKNOWN_AGENT)).toBe(true);
    expect((error as Error).message).toBe(
      'agent: expected one of random, popularity, recent, cooccurrence, ranker, dqn, actual "dqn-from-the-future"',
    );
  });
});
