import { describe, expect, it } from 'vitest';
import { createRng, fork, rngFromState, toRng } from '../../src/core/rng.js';

function draws(rng: { next(): number }, n: number): number[] {
  return Array.from({ length: n }, () => rng.next());
}

describe('Rng', () => {
  describe('createRng', () => {
    it('gives the same stream for the same seed and different streams for different seeds', () => {
      expect(draws(createRng(7), 20)).toEqual(draws(createRng(7), 20));
      expect(draws(createRng(7), 20)).not.toEqual(draws(createRng(8), 20));
      expect(draws(createRng('7'), 5)).toEqual(draws(createRng(7), 5));
    });

    it('draws doubles in [0, 1) with a plausible mean', () => {
      const values = draws(createRng(1), 20_000);
      expect(Math.min(...values)).toBeGreaterThanOrEqual(0);
      expect(Math.max(...values)).toBeLessThan(1);
      const mean = values.reduce((a, b) => a + b, 0) / values.length;
      expect(Math.abs(mean - 0.5)).toBeLessThan(0.01);
    });

    it('rejects a non-finite seed', () => {
      expect(() => createRng(Number.NaN)).toThrow(TypeError);
    });
  });

  describe('#nextInt', () => {
    it('covers [0, n) uniformly', () => {
      const rng = createRng(3);
      const counts = new Array(6).fill(0);
      for (let i = 0; i < 60_000; i++) counts[rng.nextInt(6)]++;
      for (const count of counts) expect(Math.abs(count - 10_000)).toBeLessThan(400);
    });
  });

  describe('#getState / rngFromState', () => {
    it('continues the same stream from a saved state, also through JSON', () => {
      const rng = createRng(11);
      draws(rng, 13);
      const state = JSON.parse(JSON.stringify(rng.getState()));
      const expected = draws(rng, 10);
      expect(draws(rngFromState(state), 10)).toEqual(expected);
    });

    it('rejects a state of another algorithm', () => {
      expect(() => rngFromState({ algorithm: 'alea' } as never)).toThrow(/expected an RngState of algorithm "tychei"/);
    });
  });

  describe('#clone', () => {
    it('is independent of the original after cloning', () => {
      const rng = createRng(5);
      const copy = rng.clone();
      const a = draws(rng, 5);
      expect(draws(copy, 5)).toEqual(a);
      draws(copy, 3);
      expect(draws(rng, 2)).toEqual(draws(createRngAt(5, 5), 2));
    });
  });

  describe('fork', () => {
    it('derives reproducible children that differ by label', () => {
      const a = fork(createRng(1), 'negatives');
      const b = fork(createRng(1), 'negatives');
      const c = fork(createRng(1), 'episodes');
      expect(draws(a, 5)).toEqual(draws(b, 5));
      expect(draws(fork(createRng(1), 'negatives'), 5)).not.toEqual(draws(c, 5));
    });
  });

  describe('toRng', () => {
    it('passes a generator through and seeds from numbers', () => {
      const rng = createRng(2);
      expect(toRng(rng)).toBe(rng);
      expect(draws(toRng(2), 3)).toEqual(draws(createRng(2), 3));
    });
  });
});

function createRngAt(seed: number, skip: number) {
  const rng = createRng(seed);
  draws(rng, skip);
  return rng;
}
