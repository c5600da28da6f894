import { describe, expect, it } from 'vitest';
import { ErrorCode, RecGymError } from '../../src/core/errors.js';
import { createRng } from '../../src/core/rng.js';
import { assertEnv, checkEnv, firstDifference } from '../../src/env/check-env.js';
import type { Env, ResetResult, StepResult } from '../../src/env/env.js';
import { Box } from '../../src/env/spaces/box.js';
import { Discrete } from '../../src/env/spaces/discrete.js';
import type { Rng } from '../../src/core/rng.js';

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

describe('firstDifference', () => {
  it('compares typed arrays element-wise and objects by key', () => {
    expect(firstDifference({ a: Int32Array.of(1, 2) }, { a: Int32Array.of(1, 2) })).toBeUndefined();
    expect(firstDifference({ a: Int32Array.of(1, 2) }, { a: Int32Array.of(1, 3) })).toBe('$.a[1] (2 vs 3)');
    expect(firstDifference(Int32Array.of(1), Uint8Array.of(1))).toBe('$ (types differ)');
    expect(firstDifference({ a: 1 }, { a: 1, b: 2 })).toBe('$.b (undefined vs 2)');
  });
});
