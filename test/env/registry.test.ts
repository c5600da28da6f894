import { describe, expect, it } from 'vitest';
import { ErrorCode } from '../../src/core/errors.js';
import { checkEnv } from '../../src/env/check-env.js';
import { RecommendationEnv } from '../../src/env/recommendation-env.js';
import { defaultEventStore, envSpec, listEnvs, makeEnv, makeVectorEnv, registerEnv } from '../../src/env/registry.js';
import { tinyStore } from './fixtures.js';

describe('registry', () => {
  describe('listEnvs', () => {
    it('lists the built-in ids with their defaults', () => {
      const envs = Object.fromEntries(listEnvs().map((r) => [r.id, r.defaults]));
      expect(envs['Tianchi-Replay-v0']).toEqual({ mode: 'candidates', numCandidates: 5, negatives: 'uniform' });
      expect(envs['Tianchi-Replay-C20-v0']).toEqual({ mode: 'candidates', numCandidates: 20, negatives: 'popularity' });
      expect(envs['Tianchi-Slate-v0']).toEqual({ mode: 'slate', slateSize: 10 });
    });
  });

  describe('makeEnv', () => {
    it('builds the env with the id defaults, caller overrides and a spec', () => {
      const env = makeEnv('Tianchi-Replay-v0', { store: tinyStore(), numCandidates: 3, maxEpisodeSteps: 4 });
      expect(env).toBeInstanceOf(RecommendationEnv);
      expect(env.setup.options.numCandidates).toBe(3);
      expect(env.spec).toMatchObject({ id: 'Tianchi-Replay-v0', maxEpisodeSteps: 4, kwargs: { mode: 'candidates', numCandidates: 3 } });
    });

    it('uses the embedded default data when no store is given', () => {
      const env = makeEnv('Tianchi-Replay-v0');
      expect(env.setup.store).toBe(defaultEventStore());
      expect(env.numEpisodes).toBeGreaterThan(100);
    });

    it('throws UNKNOWN_ENV listing the known ids', () => {
      expect(() => makeEnv('Nope-v0')).toThrow(expect.objectContaining({ code: ErrorCode.UNKNOWN_ENV, message: expect.stringContaining('Tianchi-Replay-v0') }));
    });
  });

  describe('registerEnv', () => {
    it('registers a new id and refuses duplicates and malformed ids', () => {
      registerEnv('Test-Tiny-v0', { description: 'tiny', defaults: { numCandidates: 2, historyLength: 2 } });
      const env = makeEnv('Test-Tiny-v0', { store: tinyStore() });
      expect(env.observationSpace.spaces.items.size).toBe(2);
      expect(() => registerEnv('Test-Tiny-v0', { description: 'again' })).toThrow(/already registered/);
      expect(() => registerEnv('no version', { description: 'x' })).toThrow(TypeError);
      expect(envSpec('Test-Tiny-v0').description).toBe('tiny');
    });
  });

  describe('makeVectorEnv', () => {
    it('builds a vector env with the id options and a spec', () => {
      const env = makeVectorEnv('Tianchi-Replay-C20-v0', { numEnvs: 4 });
      expect(env.numCandidates).toBe(20);
      expect(env.setup.options.negatives).toBe('popularity');
      expect(env.spec).toMatchObject({ id: 'Tianchi-Replay-C20-v0', kwargs: { numCandidates: 20, numEnvs: 4 } });
      expect(env.reset({ seed: 0 }).observations.candidates).toHaveLength(80);
    });
  });
});

describe('checkEnv on every registered env', () => {
  for (const { id, defaults } of listEnvs().filter((r) => r.id.startsWith('Tianchi-'))) {
    // Replay envs replay either window; a simulated env has no split (its simulator is fitted on the days before the test day).
    const splits = defaults.simulator === undefined ? (['train', 'test'] as const) : ([undefined] as const);
    it(`passes ${id} on the default data (${defaults.simulator === undefined ? 'train and test splits' : 'simulated'})`, () => {
      for (const split of splits) {
        const report = checkEnv(makeEnv(id, { split }));
        expect(report.checks.filter((c) => !c.passed)).toEqual([]);
        expect(report.checks.map((c) => c.name)).toHaveLength(9);
      }
    });

    it(`passes the vector form of ${id} on the default data (${defaults.simulator === undefined ? 'train and test splits' : 'simulated'})`, () => {
      for (const split of splits) {
        const report = checkEnv(makeVectorEnv(id, { split, numEnvs: 4 }));
        expect(report.checks.filter((c) => !c.passed)).toEqual([]);
        expect(report.checks.map((c) => c.name)).toContain('auto-reset in the same step');
        expect(report.checks.map((c) => c.name)).toHaveLength(9);
      }
    });
  }
});
