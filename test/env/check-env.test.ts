import { describe, expect, it } from 'vitest';
import { ErrorCode, RecGymError } from '../../src/core/errors.js';
import { createRng } from '../../src/core/rng.js';
import { assertEnv, checkEnv, firstDifference } from '../../src/env/check-env.js';
import type { Env, ResetResult, StepResult, VectorEnv, VectorEnvResetResult, VectorEnvStepResult } from '../../src/env/env.js';
import { Box } from '../../src/env/spaces/box.js';
import { Discrete } from '../../src/env/spaces/discrete.js';
import type { Rng } from '../../src/core/rng.js';
import { makeVectorEnv } from '../../src/env/registry.js';
import { tinyStore } from './fixtures.js';

/** A correct little env: observation = [step], ends after 4 steps; flaws are switched on by name. */
class ToyEnv implements Env<Int32Array, number> {
  readonly actionSpace = new Discrete(3);
  readonly observationSpace = new Box({ low: 0, high: 9, shape: [1], dtype: 'int32' });
  #t = -1;
  #rng: Rng = createRng(0);
  #calls = 0;
  constructor(readonly flaw?: 'outOfSpace' | 'nondeterministic' | 'noResetNeeded' | 'closeThrows' | 'acceptsAnything') {}
  reset(options: { seed?: number } = {}): ResetResult<Int32Array> {
    if (options.seed !== undefined) this.#rng = createRng(options.seed);
    this.#t = 0;
    return { observation: Int32Array.of(0), info: {} };
  }
  step(action: number): StepResult<Int32Array> {
    if (this.#t < 0 && this.flaw !== 'noResetNeeded') throw new RecGymError(ErrorCode.RESET_NEEDED, 'call reset()');
    if (!this.actionSpace.contains(action) && this.flaw !== 'acceptsAnything') throw new RecGymError(ErrorCode.INVALID_ACTION, 'bad');
    this.#t++;
    const done = this.#t >= 4;
    const value = this.flaw === 'outOfSpace' && this.#t === 2 ? 42 : this.#t;
    const noise = this.flaw === 'nondeterministic' ? ++this.#calls : this.#rng.nextInt(2);
    const result = { observation: Int32Array.of(value), reward: noise, terminated: done, truncated: false, info: {} };
    if (done) this.#t = -1;
    return result;
  }
  close(): void {
    if (this.flaw === 'closeThrows') throw new Error('closed twice');
  }
}

function failed(env: ToyEnv): string[] {
  return checkEnv(env, { rolloutSteps: 10 }).checks.filter((c) => !c.passed).map((c) => c.name);
}

describe('checkEnv', () => {
  it('passes a correct env', () => {
    const report = checkEnv(new ToyEnv());
    expect(report.passed).toBe(true);
    expect(report.checks.every((c) => c.message === 'ok')).toBe(true);
  });

  it('names each broken part of the contract', () => {
    expect(failed(new ToyEnv('outOfSpace'))).toEqual(['observations in observationSpace']);
    expect(failed(new ToyEnv('nondeterministic'))).toEqual(['same seed, same rollout']);
    expect(failed(new ToyEnv('noResetNeeded'))).toEqual(['step after the end throws RESET_NEEDED']);
    expect(failed(new ToyEnv('closeThrows'))).toEqual(['close() twice is safe']);
    expect(failed(new ToyEnv('acceptsAnything'))).toEqual(['invalid action throws INVALID_ACTION']);
  });

  it('explains what differed', () => {
    const report = checkEnv(new ToyEnv('nondeterministic'), { rolloutSteps: 10 });
    expect(report.checks.find((c) => !c.passed)!.message).toMatch(/two rollouts with seed 0 differ at step 1\.reward/);
  });

  describe('assertEnv', () => {
    it('throws listing every failure', () => {
      expect(() => assertEnv(new ToyEnv('outOfSpace'))).toThrow(/1 check\(s\) failed:\n- observations in observationSpace: step 1: step observation not in observationSpace/);
      expect(() => assertEnv(new ToyEnv())).not.toThrow();
    });
  });
});

type VectorFlaw = 'lateReset' | 'nondeterministic' | 'finalOutOfSpace' | 'acceptsAnything' | 'closeThrows';

/** A correct little vector env of 2 slots: observation = [step], episodes end after 4 steps; flaws by name. */
class ToyVectorEnv implements VectorEnv<Int32Array, number, Int32Array> {
  readonly numEnvs = 2;
  readonly singleActionSpace = new Discrete(3);
  readonly singleObservationSpace = new Box({ low: 0, high: 9, shape: [1], dtype: 'int32' });
  readonly #t = new Int32Array(2);
  readonly #isPending = new Uint8Array(2);
  #rng: Rng = createRng(0);
  #calls = 0;
  readonly #result = {
    observations: new Int32Array(2),
    rewards: new Float32Array(2),
    terminations: new Uint8Array(2),
    truncations: new Uint8Array(2),
    finalObservations: new Int32Array(2),
    info: { episodeLengths: new Int32Array(2) },
  };
  constructor(readonly flaw?: VectorFlaw) {}
  reset(options: { seed?: number | string } = {}): VectorEnvResetResult<Int32Array> {
    if (options.seed !== undefined) this.#rng = createRng(options.seed);
    this.#t.fill(0);
    this.#isPending.fill(0);
    this.#result.observations.fill(0);
    return { observations: this.#result.observations, info: {} };
  }
  step(actions: Int32Array): VectorEnvStepResult<Int32Array> {
    const isValid = actions instanceof Int32Array && actions.length === 2 && actions.every((a) => this.singleActionSpace.contains(a));
    if (!isValid && this.flaw !== 'acceptsAnything') throw new RecGymError(ErrorCode.INVALID_ACTION, 'bad');
    const r = this.#result;
    for (let i = 0; i < 2; i++) {
      r.terminations[i] = 0;
      // 'lateReset' resets a finished slot one step late (Gymnasium's next-step mode), not in the same step.
      if (this.#isPending[i] === 1) {
        this.#isPending[i] = 0;
        this.#t[i] = 0;
        r.observations[i] = 0;
        r.rewards[i] = 0;
        continue;
      }
      const t = ++this.#t[i];
      r.rewards[i] = this.flaw === 'nondeterministic' ? ++this.#calls : this.#rng.nextInt(2);
      r.observations[i] = t;
      if (t < 4) continue;
      r.terminations[i] = 1;
      r.finalObservations[i] = this.flaw === 'finalOutOfSpace' ? 42 : t;
      r.info.episodeLengths[i] = t;
      if (this.flaw === 'lateReset') {
        this.#isPending[i] = 1;
      } else {
        this.#t[i] = 0;
        r.observations[i] = 0;
      }
    }
    return r;
  }
  observationAt(batch: Int32Array, slot: number): Int32Array {
    return batch.slice(slot, slot + 1);
  }
  createActions(): Int32Array {
    return new Int32Array(2);
  }
  setAction(actions: Int32Array, slot: number, action: number): void {
    actions[slot] = action;
  }
  close(): void {
    if (this.flaw === 'closeThrows') throw new Error('closed twice');
  }
}

describe('checkEnv on a vector env', () => {
  const failedVector = (env: ToyVectorEnv) => checkEnv(env, { rolloutSteps: 10 }).checks.filter((c) => !c.passed).map((c) => c.name);

  it('passes a correct vector env with the vector form of every check', () => {
    const report = checkEnv(new ToyVectorEnv());
    expect(report.checks.filter((c) => !c.passed)).toEqual([]);
    expect(report.checks.map((c) => c.name)).toEqual([
      'singleActionSpace',
      'singleObservationSpace',
      'reset',
      'step',
      'observations in singleObservationSpace',
      'same seed, same rollout',
      'auto-reset in the same step',
      'invalid actions throw INVALID_ACTION',
      'close() twice is safe',
    ]);
  });

  it('names each broken part of the contract', () => {
    const broken: Record<VectorFlaw, string> = {
      lateReset: 'auto-reset in the same step',
      nondeterministic: 'same seed, same rollout',
      finalOutOfSpace: 'observations in singleObservationSpace',
      acceptsAnything: 'invalid actions throw INVALID_ACTION',
      closeThrows: 'close() twice is safe',
    };
    for (const [flaw, name] of Object.entries(broken)) expect(failedVector(new ToyVectorEnv(flaw as VectorFlaw)), flaw).toEqual([name]);
  });

  it('explains a late reset by the episode lengths', () => {
    const report = checkEnv(new ToyVectorEnv('lateReset'), { rolloutSteps: 10 });
    expect(report.checks.find((c) => !c.passed)!.message).toMatch(/slot 0 ended an episode: expected info.episodeLengths\[0\] 5 \(steps since its last \(auto-\)reset\), actual 4/);
  });

  it('passes VectorRecommendationEnv in every mode', () => {
    for (const options of [{}, { mode: 'slate' as const, slateSize: 3 }, { negatives: 'popularity' as const, split: 'test' as const, maxEpisodeSteps: 2 }]) {
      const env = makeVectorEnv('Tianchi-Replay-v0', { store: tinyStore(), numCandidates: 3, historyLength: 3, numEnvs: 3, ...options });
      expect(checkEnv(env).checks.filter((c) => !c.passed)).toEqual([]);
    }
  });
});

describe('firstDifference', () => {
  it('compares typed arrays element-wise and objects by key', () => {
    expect(firstDifference({ a: Int32Array.of(1, 2) }, { a: Int32Array.of(1, 2) })).toBeUndefined();
    expect(firstDifference({ a: Int32Array.of(1, 2) }, { a: Int32Array.of(1, 3) })).toBe('$.a[1] (2 vs 3)');
    expect(firstDifference(Int32Array.of(1), Uint8Array.of(1))).toBe('$ (types differ)');
    expect(firstDifference({ a: 1 }, { a: 1, b: 2 })).toBe('$.b (undefined vs 2)');
  });
});
