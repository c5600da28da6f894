import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createRng } from '../../src/core/rng.js';
import { CandidateSampler, buildAliasTables, catalogueOf, itemCounts } from '../../src/env/candidates.js';
import { UniformStream } from '../../src/env/uniform-stream.js';
import { splitByDay } from '../../src/data/split.js';
import { ids, tinyStore } from './fixtures.js';

const catalogue = Int32Array.from({ length: 30 }, (_, i) => i * 2);

describe('CandidateSampler', () => {
  describe('#fill', () => {
    it('puts the positive once and fills distinct negatives, never the positive (property over seeds)', () => {
      fc.assert(
        fc.property(
          fc.integer({ min: 0 }),
          fc.integer({ min: 1, max: 30 }),
          fc.constantFrom<'uniform' | 'popularity'>('uniform', 'popularity'),
          fc.integer({ min: 0, max: 29 }),
          (seed, size, negatives, positiveAt) => {
            const weights = Float64Array.from(catalogue, (_, i) => (i % 3 === 0 ? 0 : i + 1));
            const sampler = new CandidateSampler({ catalogue, numCandidates: size, negatives, weights });
            const out = new Int32Array(size + 4).fill(-7);
            const positive = catalogue[positiveAt];
            const index = sampler.fill(out, 2, positive, new UniformStream(createRng(seed)));
            const set = out.subarray(2, 2 + size);
            expect(index).toBeGreaterThanOrEqual(0);
            expect(set[index]).toBe(positive);
            expect(set.filter((x) => x === positive).length).toBe(1);
            expect(new Set(set).size).toBe(size);
            expect(Array.from(set).every((x) => catalogue.includes(x))).toBe(true);
            expect([out[0], out[1], out[size + 2], out[size + 3]]).toEqual([-7, -7, -7, -7]);
          },
        ),
        { numRuns: 300 },
      );
    });

    it('fills a set without positive (index -1) with distinct catalogue items', () => {
      const sampler = new CandidateSampler({ catalogue, numCandidates: 30 });
      const out = new Int32Array(30);
      expect(sampler.fill(out, 0, -1, createRng(3))).toBe(-1);
      expect(Array.from(out).sort((a, b) => a - b)).toEqual(Array.from(catalogue));
    });

    it('accepts a positive outside the catalogue (a cold item)', () => {
      const sampler = new CandidateSampler({ catalogue, numCandidates: 5 });
      const out = new Int32Array(5);
      const index = sampler.fill(out, 0, 999, createRng(1));
      expect(out[index]).toBe(999);
      expect(new Set(out).size).toBe(5);
    });

    it('draws the positive index and the negatives uniformly', () => {
      const sampler = new CandidateSampler({ catalogue: Int32Array.of(0, 1, 2, 3), numCandidates: 2 });
      const random = new UniformStream(createRng(5));
      const out = new Int32Array(2);
      const indexCounts = [0, 0];
      const itemCounts = [0, 0, 0, 0];
      for (let t = 0; t < 30_000; t++) {
        const index = sampler.fill(out, 0, 0, random);
        indexCounts[index]++;
        itemCounts[out[1 - index]]++;
      }
      expect(indexCounts[0] / 30_000).toBeCloseTo(0.5, 1);
      expect(itemCounts[0]).toBe(0);
      for (const item of [1, 2, 3]) expect(itemCounts[item] / 30_000).toBeCloseTo(1 / 3, 1);
    });

    it('draws popularity negatives in proportion to the weights', () => {
      const sampler = new CandidateSampler({ catalogue: Int32Array.of(10, 11, 12), numCandidates: 1, negatives: 'popularity', weights: [1, 3, 0] });
      const random = new UniformStream(createRng(9));
      const out = new Int32Array(1);
      const counts = new Map<number, number>();
      for (let t = 0; t < 20_000; t++) {
        sampler.fill(out, 0, -1, random);
        counts.set(out[0], (counts.get(out[0]) ?? 0) + 1);
      }
      expect(counts.get(12)).toBeUndefined();
      expect(counts.get(11)! / 20_000).toBeCloseTo(0.75, 1);
    });

    it('is deterministic under a seed', () => {
      const sampler = new CandidateSampler({ catalogue, numCandidates: 8 });
      const a = new Int32Array(8);
      const b = new Int32Array(8);
      sampler.fill(a, 0, 4, new UniformStream(createRng(42)));
      sampler.fill(b, 0, 4, new UniformStream(createRng(42)));
      expect(a).toEqual(b);
    });
    it('draws the same sets from a UniformStream (run inline) as from any source of the same draws, and leaves the stream where that source is', () => {
      // Zero weights leave fewer drawable items than the set needs, so some sets end in the seeded scan.
      const weights = Float64Array.from(catalogue, (_, i) => (i % 4 === 0 ? 0 : (i + 1) ** 2));
      for (const negatives of ['uniform', 'popularity'] as const) {
        for (const size of [3, 20, 26]) {
          const sampler = new CandidateSampler({ catalogue, numCandidates: size, negatives, weights });
          const inline = new UniformStream(createRng(11));
          const twin = new UniformStream(createRng(11));
          const generic = { next: () => twin.next() };
          const a = new Int32Array(size);
          const b = new Int32Array(size);
          for (let t = 0; t < 300; t++) {
            const positive = t % 3 === 0 ? -1 : catalogue[t % catalogue.length];
            expect(sampler.fill(a, 0, positive, inline)).toBe(sampler.fill(b, 0, positive, generic));
            expect(a).toEqual(b);
          }
          expect(inline.next()).toBe(twin.next());
        }
      }
    });
  });

  it('throws at construction for a catalogue smaller than the set or duplicate items', () => {
    expect(() => new CandidateSampler({ catalogue: Int32Array.of(1, 2), numCandidates: 3 })).toThrow(/at least 3 items/);
    expect(() => new CandidateSampler({ catalogue: Int32Array.of(1, 1, 2), numCandidates: 2 })).toThrow(/distinct/);
    expect(() => new CandidateSampler({ catalogue, numCandidates: 2, negatives: 'popularity' })).toThrow(TypeError);
  });
});

describe('buildAliasTables', () => {
  it('keeps each value with probability 1 when weights are equal', () => {
    const { probability, aliases } = buildAliasTables(Int32Array.of(5, 6, 7), [2, 2, 2]);
    expect(Array.from(probability)).toEqual([1, 1, 1]);
    expect(Array.from(aliases)).toEqual([5, 6, 7]);
  });

  it('rejects negative weights and a zero total', () => {
    expect(() => buildAliasTables(Int32Array.of(1, 2), [1, -1])).toThrow(RangeError);
    expect(() => buildAliasTables(Int32Array.of(1, 2), [0, 0])).toThrow(/positive total/);
  });
});

describe('catalogueOf / itemCounts', () => {
  it('takes the items of training-window events, or all items', () => {
    const store = tinyStore();
    const { item } = ids(store);
    const split = splitByDay(store);
    const train = Array.from(catalogueOf(store, split.train));
    expect(train).toEqual([1, 2, 3, 4, 6, 10, 11, 12, 13, 14, 15, 16, 17].map(item).sort((a, b) => a - b));
    expect(catalogueOf(store).length).toBe(store.numItems);
    const counts = itemCounts(store, split.train);
    expect([counts[item(1)], counts[item(2)], counts[item(5)]]).toEqual([1, 2, 0]);
  });
});
