import { describe, expect, it } from 'vitest';
import { createRng } from '../../src/core/rng.js';
import { isRecGymError } from '../../src/core/errors.js';
import { EventStoreBuilder } from '../../src/data/event-store.js';
import { splitByDay } from '../../src/data/split.js';
import { PROTOCOLS, drawCandidateSets, metricName } from '../../src/eval/protocols.js';
import { buildTestCases } from '../../src/eval/test-cases.js';
import { D0, TEST } from './tiny-log.js';

function bigLog(items: number) {
  const b = new EventStoreBuilder();
  for (let i = 0; i < items; i++) b.append(1 + (i % 7), 1000 + i, 1, 1, D0 + i);
  for (let u = 1; u <= 7; u++) for (let j = 0; j < 6; j++) b.append(u, 1000 + ((u * 13 + j * 5) % (items + 20)), 1, 1, TEST + u * 60 + j);
  const store = b.build();
  return { store, cases: buildTestCases(store, splitByDay(store, '2014-12-18')) };
}

describe('drawCandidateSets', () => {
  const { cases } = bigLog(150);

  it('gives each case distinct candidates with the positive at positiveIndex and nowhere else', () => {
    const sets = drawCandidateSets(cases, 100, createRng(1));
    expect(cases.count).toBe(42);
    for (let i = 0; i < cases.count; i++) {
      const row = Array.from(sets.items.subarray(i * 100, (i + 1) * 100));
      expect(new Set(row).size).toBe(100);
      expect(row[sets.positiveIndex[i]]).toBe(cases.items[i]);
      expect(row.filter((x) => x === cases.items[i])).toHaveLength(1);
      for (let j = 0; j < 100; j++) if (j !== sets.positiveIndex[i]) expect(cases.inCatalogue[row[j]]).toBe(1);
    }
  });

  it('is the same for the same seed and differs for another', () => {
    const a = drawCandidateSets(cases, 5, createRng('s'));
    const b = drawCandidateSets(cases, 5, createRng('s'));
    const c = drawCandidateSets(cases, 5, createRng('t'));
    expect(a).toEqual(b);
    expect(Array.from(a.items)).not.toEqual(Array.from(c.items));
  });

  it('places the positive uniformly over the slots', () => {
    const counts = [0, 0, 0, 0, 0];
    for (let seed = 0; seed < 100; seed++) {
      const sets = drawCandidateSets(cases, 5, createRng(seed));
      for (const slot of sets.positiveIndex) counts[slot]++;
    }
    for (const c of counts) expect(Math.abs(c - 840)).toBeLessThan(120);
  });

  it('fails clearly when the catalogue is too small', () => {
    const small = bigLog(20);
    let error: unknown;
    try {
      drawCandidateSets(small.cases, 100, createRng(0));
    } catch (e) {
      error = e;
    }
    expect(isRecGymError(error)).toBe(true);
    expect((error as Error).message).toMatch(/expected a catalogue with at least 99 items besides the positive, actual 1[89]/);
  });
});

describe('PROTOCOLS', () => {
  it('has the article seed protocol, sampled and full with their K', () => {
    expect(PROTOCOLS.seed).toMatchObject({ numCandidates: 5, defaultK: 4 });
    expect(PROTOCOLS.sampled).toMatchObject({ numCandidates: 100, defaultK: 10 });
    expect(PROTOCOLS.full).toMatchObject({ numCandidates: 0, defaultK: 20 });
    expect(PROTOCOLS.full.metrics.map((m) => metricName(m, 20))).toEqual(['recall@20', 'ndcg@20', 'mrr']);
    expect(PROTOCOLS.seed.metrics.map((m) => metricName(m, 4))).toEqual(['recall@4', 'top1', 'rewardPerUser']);
    expect(PROTOCOLS.sampled.metrics.map((m) => metricName(m, 10))).toEqual(['hr@10', 'ndcg@10']);
  });
});
