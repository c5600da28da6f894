import { ErrorCode, isRecGymError } from '../core/errors.js';
import { createRng, type Rng } from '../core/rng.js';
import type { Env, StepResult } from './env.js';
import { Box } from './spaces/box.js';
import { Dict } from './spaces/dict.js';
import { Discrete } from './spaces/discrete.js';
import { Slate } from './spaces/slate.js';
import type { Space } from './spaces/space.js';

/** One check of {@link checkEnv}. */
export interface EnvCheck {
  readonly name: string;
  readonly passed: boolean;
  readonly message: string;
}

/** What {@link checkEnv} returns. */
export interface EnvCheckReport {
  readonly passed: boolean;
  readonly checks: EnvCheck[];
}

/** Options of {@link checkEnv}. */
export interface CheckEnvOptions {
  /** Seed of the determinism rollouts and sampled actions (default 0). */
  readonly seed?: number;
  /** Steps of each determinism rollout, across episodes (default 200). */
  readonly rolloutSteps?: number;
  /** Steps allowed to reach the end of an episode (default 10000). */
  readonly maxEpisodeSteps?: number;
}

type AnyEnv = Env<unknown, unknown, never>;

/**
 * Checks that an env keeps the Gymnasium contract: spaces (samples contained, wrong values
 * rejected), reset/step return shapes, every observation in the observation space, same seed →
 * identical rollout, RESET_NEEDED after the end, INVALID_ACTION for an invalid action, close() twice.
 * Runs episodes and finally closes the env.
 */
export function checkEnv(env: Env<any, any, any>, options: CheckEnvOptions = {}): EnvCheckReport {
  const target = env as AnyEnv;
  const seed = options.seed ?? 0;
  const rolloutSteps = options.rolloutSteps ?? 200;
  const maxEpisodeSteps = options.maxEpisodeSteps ?? 10_000;
  const checks: EnvCheck[] = [];
  const run = (name: string, body: () => string | undefined | void): void => {
    try {
      const failure = body();
      checks.push({ name, passed: failure === undefined, message: failure ?? 'ok' });
    } catch (error) {
      checks.push({ name, passed: false, message: `threw ${describeError(error)}` });
    }
  };

  run('actionSpace', () => checkSpace(target.actionSpace, createRng(`${seed}:action`)));
  run('observationSpace', () => checkSpace(target.observationSpace, createRng(`${seed}:observation`)));
  run('reset', () => {
    const result = target.reset({ seed } as never) as unknown;
    if (!isRecord(result) || !('observation' in result) || !isRecord(result.info)) {
      return `expected { observation, info } with info an object, actual ${describeShape(result)}`;
    }
    return explainObservation(target, result.observation, 'reset observation');
  });
  run('step', () => {
    target.reset({ seed } as never);
    const action = target.actionSpace.sample(createRng(`${seed}:step`));
    return explainStep(target, target.step(action) as unknown);
  });
  run('observations in observationSpace', () => {
    const rng = createRng(`${seed}:rollout`);
    target.reset({ seed } as never);
    for (let t = 0; t < rolloutSteps; t++) {
      const result = target.step(target.actionSpace.sample(rng));
      const failure = explainStep(target, result as unknown);
      if (failure) return `step ${t}: ${failure}`;
      if (result.terminated || result.truncated) {
        const reset = target.reset();
        const resetFailure = explainObservation(target, reset.observation, `reset after step ${t}`);
        if (resetFailure) return resetFailure;
      }
    }
    return undefined;
  });
  run('same seed, same rollout', () => {
    const first = rollout(target, seed, rolloutSteps);
    const second = rollout(target, seed, rolloutSteps);
    for (let t = 0; t < first.length; t++) {
      const difference = firstDifference(first[t], second[t], `step ${t}`);
      if (difference) return `two rollouts with seed ${seed} differ at ${difference}`;
    }
    return undefined;
  });
  run('step after the end throws RESET_NEEDED', () => {
    const rng = createRng(`${seed}:end`);
    target.reset({ seed } as never);
    let t = 0;
    for (; t < maxEpisodeSteps; t++) {
      const result = target.step(target.actionSpace.sample(rng));
      if (result.terminated || result.truncated) break;
    }
    if (t === maxEpisodeSteps) return `expected an episode to end within ${maxEpisodeSteps} steps, actual none did`;
    return expectCode(() => target.step(target.actionSpace.sample(rng)), ErrorCode.RESET_NEEDED);
  });
  run('invalid action throws INVALID_ACTION', () => {
    target.reset({ seed } as never);
    for (const bad of invalidValues(target.actionSpace, createRng(`${seed}:invalid`))) {
      const failure = expectCode(() => target.step(bad), ErrorCode.INVALID_ACTION);
      if (failure) return `action ${describeShape(bad)}: ${failure}`;
    }
    return undefined;
  });
  run('close() twice is safe', () => {
    target.close();
    target.close();
  });
  return { passed: checks.every((c) => c.passed), checks };
}

/** Runs {@link checkEnv} and throws an Error listing every failed check. */
export function assertEnv(env: Env<any, any, any>, options: CheckEnvOptions = {}): void {
  const report = checkEnv(env, options);
  if (report.passed) return;
  const failures = report.checks.filter((c) => !c.passed).map((c) => `- ${c.name}: ${c.message}`);
  throw new Error(`checkEnv: ${failures.length} check(s) failed:\n${failures.join('\n')}`);
}

interface Transition {
  observation: unknown;
  reward: number;
  terminated: boolean;
  truncated: boolean;
  info: unknown;
}

function rollout(env: AnyEnv, seed: number, steps: number): Transition[] {
  const rng = createRng(`${seed}:determinism`);
  const out: Transition[] = [];
  const first = env.reset({ seed } as never);
  out.push({ observation: first.observation, reward: 0, terminated: false, truncated: false, info: first.info });
  for (let t = 0; t < steps; t++) {
    const result = env.step(env.actionSpace.sample(rng));
    out.push({ ...result });
    if (result.terminated || result.truncated) {
      const reset = env.reset();
      out.push({ observation: reset.observation, reward: 0, terminated: false, truncated: false, info: reset.info });
    }
  }
  return out;
}

function explainStep(env: AnyEnv, result: unknown): string | undefined {
  if (!isRecord(result)) return `expected a step result object, actual ${describeShape(result)}`;
  const step = result as unknown as StepResult<unknown>;
  for (const key of ['observation', 'reward', 'terminated', 'truncated', 'info']) {
    if (!(key in result)) return `expected step() to return ${key}, actual keys {${Object.keys(result).join(', ')}}`;
  }
  if ('done' in result) return 'expected no `done` field (Gymnasium returns terminated and truncated), actual done present';
  if (typeof step.reward !== 'number' || !Number.isFinite(step.reward)) return `expected a finite number reward, actual ${String(step.reward)}`;
  if (typeof step.terminated !== 'boolean') return `expected terminated to be a boolean, actual ${typeof step.terminated}`;
  if (typeof step.truncated !== 'boolean') return `expected truncated to be a boolean, actual ${typeof step.truncated}`;
  if (!isRecord(step.info)) return `expected info to be an object, actual ${describeShape(step.info)}`;
  return explainObservation(env, step.observation, 'step observation');
}

function explainObservation(env: AnyEnv, observation: unknown, where: string): string | undefined {
  const reason = env.observationSpace.explain(observation);
  return reason === undefined ? undefined : `${where} not in observationSpace ${env.observationSpace.toString()}: ${reason}`;
}

function checkSpace(space: Space<unknown>, rng: Rng): string | undefined {
  if (!space || typeof space.sample !== 'function' || typeof space.contains !== 'function') {
    return `expected a Space with sample() and contains(), actual ${describeShape(space)}`;
  }
  for (let i = 0; i < 20; i++) {
    const value = space.sample(rng);
    if (!space.contains(value)) return `sample ${i} not contained: ${space.explain(value)}`;
  }
  const again = createRng('checkEnv:sample');
  const a = space.sample(again);
  const b = space.sample(createRng('checkEnv:sample'));
  const difference = firstDifference(a, b, 'sample');
  if (difference) return `expected sample(rng) to depend only on rng, actual difference at ${difference}`;
  for (const bad of invalidValues(space, rng)) {
    if (space.contains(bad)) return `expected contains() to reject ${describeShape(bad)}, actual true`;
  }
  return undefined;
}

/** Values a space must reject: wrong types always, and wrong shapes and values per kind of space. */
function invalidValues(space: Space<unknown>, rng: Rng): unknown[] {
  const out: unknown[] = [null, undefined, 'x', {}];
  if (space instanceof Discrete) {
    out.push(space.start - 1, space.start + space.n, space.start + 0.5, String(space.start), Number.NaN);
  } else if (space instanceof Box) {
    const sample = space.sample(rng);
    out.push(Array.from(sample as ArrayLike<number>));
    out.push(space.dtype === 'float64' ? new Float32Array(space.size) : new Float64Array(space.size));
    out.push(space.dtype === 'int32' ? new Int8Array(space.size) : new Int32Array(space.size));
    const Ctor = (sample as Int32Array).constructor as Int32ArrayConstructor;
    out.push(new Ctor(space.size + 1));
    if (space.size > 0 && Number.isFinite(space.high) && space.high < 2147483647 && space.dtype !== 'int8' && space.dtype !== 'uint8') {
      const tooHigh = new Ctor(sample as Int32Array);
      tooHigh[0] = space.high + 1;
      out.push(tooHigh);
    } else if (space.size > 0 && (space.dtype === 'int8' || space.dtype === 'uint8') && space.high < (space.dtype === 'int8' ? 127 : 255)) {
      const tooHigh = new Ctor(sample as Int32Array);
      tooHigh[0] = space.high + 1;
      out.push(tooHigh);
    }
  } else if (space instanceof Slate) {
    const sample = space.sample(rng);
    out.push(Array.from(sample), sample.subarray(0, space.size - 1), new Float64Array(sample));
    if (space.size > 1) {
      const duplicate = Int32Array.from(sample);
      duplicate[1] = duplicate[0];
      out.push(duplicate);
    }
    const outside = Int32Array.from(sample);
    outside[0] = -1;
    out.push(outside);
  } else if (space instanceof Dict) {
    const sample = space.sample(rng) as Record<string, unknown>;
    const keys = Object.keys(sample);
    if (keys.length > 0) {
      const missing = { ...sample };
      delete missing[keys[0]];
      out.push(missing);
      for (const key of keys) {
        for (const bad of invalidValues(space.spaces[key], rng).slice(4, 6)) out.push({ ...sample, [key]: bad });
      }
    }
    out.push({ ...sample, extra: 1 });
  }
  return out;
}

function expectCode(body: () => unknown, code: string): string | undefined {
  try {
    body();
  } catch (error) {
    if (isRecGymError(error) && error.code === code) return undefined;
    return `expected RecGymError ${code}, actual ${describeError(error)}`;
  }
  return `expected RecGymError ${code}, actual no error`;
}

/** The path of the first difference between two values (typed arrays element-wise), or undefined. */
export function firstDifference(a: unknown, b: unknown, path = '$'): string | undefined {
  if (Object.is(a, b)) return undefined;
  if (ArrayBuffer.isView(a) || ArrayBuffer.isView(b) || Array.isArray(a) || Array.isArray(b)) {
    const x = a as ArrayLike<unknown>;
    const y = b as ArrayLike<unknown>;
    if (!x || !y || Object.getPrototypeOf(x) !== Object.getPrototypeOf(y)) return `${path} (types differ)`;
    if (x.length !== y.length) return `${path}.length (${x.length} vs ${y.length})`;
    for (let i = 0; i < x.length; i++) {
      const d = firstDifference(x[i], y[i], `${path}[${i}]`);
      if (d) return d;
    }
    return undefined;
  }
  if (isRecord(a) && isRecord(b)) {
    const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
    for (const key of keys) {
      const d = firstDifference(a[key], b[key], `${path}.${key}`);
      if (d) return d;
    }
    return undefined;
  }
  return `${path} (${describeShape(a)} vs ${describeShape(b)})`;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && !ArrayBuffer.isView(value);
}

function describeShape(value: unknown): string {
  if (value === null || value === undefined) return String(value);
  if (ArrayBuffer.isView(value)) return `${value.constructor.name}(${(value as unknown as ArrayLike<number>).length})`;
  if (Array.isArray(value)) return `Array(${value.length})`;
  if (typeof value === 'object') return `object {${Object.keys(value).join(', ')}}`;
  return typeof value === 'string' ? JSON.stringify(value) : String(value);
}

function describeError(error: unknown): string {
  if (isRecGymError(error)) return `RecGymError ${error.code}: ${error.message}`;
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}
