import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ReplayBuffer, createReplayBatch } from '../../../src/agents/dqn/replay-buffer.js';
import { createRng } from '../../../src/core/rng.js';

/** Adds `rows` steps of `numEnvs` slots; transition id = row * numEnvs + slot is stored as the position. */
function fill(buffer: ReplayBuffer, rows: number, doneEvery = 0, startRow = 0): void {
  const E = buffer.numEnvs;
  const C = buffer.numCandidates;
  for (let r = startRow; r < startRow + rows; r++) {
    const positions = Int32Array.from({ length: E }, (_, e) => r * E + e);
    const users = Int32Array.from({ length: E }, (_, e) => e);
    const terminations = Uint8Array.from({ length: E }, () => (doneEvery > 0 && (r + 1) % doneEvery === 0 ? 1 : 0));
    buffer.add(
      { users, lengths: positions, times: positions },
      Int32Array.from(positions, (p) => p % 7),
      Float32Array.from(positions, (p) => p / 10),
      { users, lengths: Int32Array.from(positions, (p) => p + E), times: Int32Array.from(positions, (p) => p + E), candidates: Int32Array.from({ length: E * C }, (_, k) => r * 1000 + k) },
      terminations,
      new Uint8Array(E),
      Int32Array.from(positions, (p) => 5000 + p),
    );
  }
}

describe('ReplayBuffer', () => {
  describe('constructor', () => {
    it('rounds capacity up to a multiple of numEnvs', () => {
      expect(new ReplayBuffer({ capacity: 10, numEnvs: 4, numCandidates: 2 }).capacity).toBe(12);
    });

    it('rejects bad sizes', () => {
      expect(() => new ReplayBuffer({ capacity: 0, numEnvs: 1, numCandidates: 1 })).toThrow(RangeError);
      expect(() => new ReplayBuffer({ capacity: 4, numEnvs: 0, numCandidates: 1 })).toThrow(RangeError);
      expect(() => new ReplayBuffer({ capacity: 4, numEnvs: 1, numCandidates: 0 })).toThrow(RangeError);
    });
  });

  describe('#add', () => {
    it('keeps size <= capacity and overwrites the oldest rows', () => {
      fc.assert(
        fc.property(fc.integer({ min: 1, max: 5 }), fc.integer({ min: 1, max: 40 }), fc.integer({ min: 0, max: 60 }), (E, capacity, rows) => {
          const buffer = new ReplayBuffer({ capacity, numEnvs: E, numCandidates: 2 });
          fill(buffer, rows);
          expect(buffer.size).toBe(Math.min(rows * E, buffer.capacity));
        }),
      );
    });

    it('rejects arrays of the wrong length', () => {
      const buffer = new ReplayBuffer({ capacity: 8, numEnvs: 2, numCandidates: 2 });
      const two = new Int32Array(2);
      expect(() => buffer.add({ users: two, lengths: two, times: two }, new Int32Array(3), new Float32Array(2), { users: two, lengths: two, times: two, candidates: two }, new Uint8Array(2), new Uint8Array(2), two)).toThrow(RangeError);
    });
  });

  describe('#sample', () => {
    it('samples only written transitions, with their own fields', () => {
      fc.assert(
        fc.property(fc.integer({ min: 1, max: 4 }), fc.integer({ min: 4, max: 40 }), fc.integer({ min: 1, max: 30 }), fc.integer({ min: 0 }), (E, capacity, rows, seed) => {
          const buffer = new ReplayBuffer({ capacity, numEnvs: E, numCandidates: 3 });
          fill(buffer, rows);
          const batch = buffer.sample(16, createRng(seed));
          const oldestRow = Math.max(0, rows - buffer.capacity / E);
          for (let i = 0; i < 16; i++) {
            const id = batch.observations.lengths[i];
            expect(id).toBeGreaterThanOrEqual(oldestRow * E);
            expect(id).toBeLessThan(rows * E);
            expect(batch.actions[i]).toBe(id % 7);
            expect(batch.rewards[i]).toBeCloseTo(id / 10, 5);
            expect(batch.nextObservations.lengths[i]).toBe(id + E);
            expect(batch.nextItems[i]).toBe(5000 + id);
            expect(batch.nextObservations.candidates[i * 3]).toBe(Math.floor(id / E) * 1000 + (id % E) * 3);
          }
        }),
      );
    });

    it('is deterministic under a seed', () => {
      const buffer = new ReplayBuffer({ capacity: 64, numEnvs: 4, numCandidates: 2 });
      fill(buffer, 10);
      const a = buffer.sample(32, createRng(5));
      const b = buffer.sample(32, createRng(5), createReplayBatch(32, 2));
      expect(Array.from(a.observations.lengths)).toEqual(Array.from(b.observations.lengths));
    });

    it('throws on an empty buffer or a mismatched batch', () => {
      const buffer = new ReplayBuffer({ capacity: 8, numEnvs: 2, numCandidates: 2 });
      expect(() => buffer.sample(4, createRng(0))).toThrow(/non-empty/);
      fill(buffer, 1);
      expect(() => buffer.sample(4, createRng(0), createReplayBatch(3, 2))).toThrow(RangeError);
    });
  });

  describe('#sampleSegments', () => {
    it('returns runs of consecutive steps of one slot that stop at episode ends and the newest row', () => {
      fc.assert(
        fc.property(fc.integer({ min: 1, max: 4 }), fc.integer({ min: 8, max: 60 }), fc.integer({ min: 1, max: 40 }), fc.integer({ min: 0, max: 5 }), fc.integer({ min: 0 }), (E, capacity, rows, doneEvery, seed) => {
          const buffer = new ReplayBuffer({ capacity, numEnvs: E, numCandidates: 1 });
          fill(buffer, rows, doneEvery);
          const segments = buffer.sampleSegments(20, 5, createRng(seed));
          const { batch } = segments;
          let total = 0;
          for (let s = 0; s < segments.count; s++) {
            const start = segments.start[s];
            const length = segments.length[s];
            expect(start).toBe(total);
            expect(length).toBeGreaterThanOrEqual(1);
            expect(length).toBeLessThanOrEqual(5);
            total += length;
            for (let k = 1; k < length; k++) {
              expect(batch.observations.lengths[start + k]).toBe(batch.observations.lengths[start + k - 1] + E);
              expect(batch.terminations[start + k - 1]).toBe(0);
              expect(batch.observations.lengths[start + k]).toBeLessThan(rows * E);
            }
          }
          expect(total).toBe(20);
        }),
      );
    });
  });
});
