import { ErrorCode, isRecGymError } from '../core/errors.js';
import { createRng, type Rng } from '../core/rng.js';
import type { AnyEnv, AnyVectorEnv, StepResult, VectorEnv, VectorEnvStepResult } from './env.js';
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

/** Runs named checks, each passing when its body returns undefined (a string is the failure). */
function checkRunner(checks: EnvCheck[]): (name: string, body: () => string | undefined) => void {
  return (name, body) => {
    try {
      const failure = body();
      checks.push({ name, passed: failure === undefined, message: failure ?? 'ok' });
    } catch (error) {
      checks.push({ name, passed: false, message: `threw ${describeError(error)}` });
    }
  };
}

/** True for a {@link VectorEnv} (it has `numEnvs` and reads slots with `observationAt`). */
export function isVectorEnv(env: unknown): env is VectorEnv<unknown, unknown, unknown> {
  return isRecord(env) && typeof env.numEnvs === 'number' && typeof env.observationAt === 'function' && typeof env.setAction === 'function';
}

/**
 * Checks that an env keeps the Gymnasium contract: spaces (samples contained, wrong values
 * rejected), reset/step return shapes, every observation in the observation space, same seed →
 * identical rollout, RESET_NEEDED after the end, INVALID_ACTION for an invalid action, close() twice.
 * A {@link VectorEnv} gets the vector form of these checks ({@link checkVectorEnv}).
 * Runs episodes and finally closes the env.
 */
export function checkEnv(env: AnyEnv | AnyVectorEnv, options: CheckEnvOptions = {}): EnvCheckReport {
  if (isVectorEnv(env)) return checkVectorEnv(env, options);
  const target = env as AnyEnv;
  const seed = options.seed ?? 0;
  const rolloutSteps = options.rolloutSteps ?? 200;
  const maxEpisodeSteps = options.maxEpisodeSteps ?? 10_000;
  const checks: EnvCheck[] = [];
  const run = checkRunner(checks);

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
  run('same seed, same rollout', () => explainRollouts(seed, rollout(target, seed, rolloutSteps), rollout(target, seed, rolloutSteps)));
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
    return explainAccepted(invalidValues(target.actionSpace, createRng(`${seed}:invalid`)), (bad) => target.step(bad), 'action');
  });
  return closeTwiceAndReport(target, run, checks);
}

/**
 * Checks that a vector env keeps the contract of {@link VectorEnv}: single spaces, reset/step
 * return shapes (one entry per slot, 0/1 flags, finite rewards), every slot's observation and every
 * final observation in the single observation space, same seed → identical rollout, same-step
 * auto-reset (stepping on after an end; where `info.episodeLengths` is given, each slot's episode
 * length counts from its auto-reset), INVALID_ACTION for a batch of the wrong length or with an
 * invalid slot, close() twice. `rolloutSteps` counts vector steps; `maxEpisodeSteps` bounds the
 * wait for every slot to end two episodes.
 */
export function checkVectorEnv(env: AnyVectorEnv, options: CheckEnvOptions = {}): EnvCheckReport {
  const target = env as AnyVectorEnv;
  const seed = options.seed ?? 0;
  const rolloutSteps = options.rolloutSteps ?? 200;
  const maxEpisodeSteps = options.maxEpisodeSteps ?? 10_000;
  const numEnvs = target.numEnvs;
  const checks: EnvCheck[] = [];
  const run = checkRunner(checks);

  run('singleActionSpace', () => checkSpace(target.singleActionSpace, createRng(`${seed}:action`)));
  run('singleObservationSpace', () => checkSpace(target.singleObservationSpace, createRng(`${seed}:observation`)));
  run('reset', () => {
    const result = target.reset({ seed }) as unknown;
    if (!isRecord(result) || !('observations' in result) || !isRecord(result.info)) {
      return `expected { observations, info } with info an object, actual ${describeShape(result)}`;
    }
    return explainBatch(target, result.observations, undefined, 'reset observations');
  });
  run('step', () => {
    target.reset({ seed });
    return explainVectorStep(target, target.step(sampleActions(target, createRng(`${seed}:step`))) as unknown);
  });
  run('observations in singleObservationSpace', () => {
    const rng = createRng(`${seed}:rollout`);
    target.reset({ seed });
    for (let t = 0; t < rolloutSteps; t++) {
      const failure = explainVectorStep(target, target.step(sampleActions(target, rng)) as unknown);
      if (failure) return `step ${t}: ${failure}`;
    }
    return undefined;
  });
  run('same seed, same rollout', () => explainRollouts(seed, vectorRollout(target, seed, rolloutSteps), vectorRollout(target, seed, rolloutSteps)));
  run('auto-reset in the same step', () => {
    const rng = createRng(`${seed}:autoreset`);
    target.reset({ seed });
    // Every slot ends two episodes: the second one's length counts from the first one's auto-reset.
    const lengths = new Int32Array(numEnvs);
    const ends = new Int32Array(numEnvs);
    let doneSlots = 0;
    for (let t = 0; t < maxEpisodeSteps && doneSlots < numEnvs; t++) {
      const result = target.step(sampleActions(target, rng));
      const episodeLengths = (result.info as { episodeLengths?: ArrayLike<number> }).episodeLengths;
      for (let i = 0; i < numEnvs; i++) {
        lengths[i]++;
        if (result.terminations[i] === 0 && result.truncations[i] === 0) continue;
        if (episodeLengths !== undefined && episodeLengths[i] !== lengths[i]) {
          return `step ${t}: slot ${i} ended an episode: expected info.episodeLengths[${i}] ${lengths[i]} (steps since its last (auto-)reset), actual ${episodeLengths[i]}`;
        }
        lengths[i] = 0;
        if (++ends[i] === 2) doneSlots++;
      }
    }
    if (doneSlots < numEnvs) return `expected every slot to end two episodes within ${maxEpisodeSteps} steps, actual ${doneSlots} of ${numEnvs} did`;
    return undefined;
  });
  run('invalid actions throw INVALID_ACTION', () => {
    target.reset({ seed });
    const rng = createRng(`${seed}:invalid`);
    const valid = sampleActions(target, rng);
    const bad: unknown[] = [new Int32Array(valid.length + 1), Array.from(valid), new Float64Array(valid)];
    for (const value of invalidValues(target.singleActionSpace, rng)) {
      const actions = Int32Array.from(valid);
      if (!fitsActionBatch(target, value)) continue;
      target.setAction(actions, numEnvs - 1, value);
      bad.push(actions);
    }
    return explainAccepted(bad, (actions) => target.step(actions as Int32Array), 'actions');
  });
  return closeTwiceAndReport(target, run, checks);
}

/** Runs the last check, close() twice, and reports. */
function closeTwiceAndReport(env: { close(): void }, run: ReturnType<typeof checkRunner>, checks: EnvCheck[]): EnvCheckReport {
  run('close() twice is safe', () => {
    env.close();
    env.close();
    return undefined;
  });
  return { passed: checks.every((c) => c.passed), checks };
}

/** The first of `values` that `step` does not refuse with INVALID_ACTION, explained; undefined when it refuses all. */
function explainAccepted(values: readonly unknown[], step: (value: unknown) => unknown, label: string): string | undefined {
  for (const value of values) {
    const failure = expectCode(() => step(value), ErrorCode.INVALID_ACTION);
    if (failure) return `${label} ${describeShape(value)}: ${failure}`;
  }
  return undefined;
}

/** Runs {@link checkEnv} and throws an Error listing every failed check. */
export function assertEnv(env: AnyEnv | AnyVectorEnv, options: CheckEnvOptions = {}): void {
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

/** Where two rollouts with the same seed first differ, or undefined. */
function explainRollouts(seed: number, first: readonly unknown[], second: readonly unknown[]): string | undefined {
  for (let t = 0; t < first.length; t++) {
    const difference = firstDifference(first[t], second[t], `step ${t}`);
    if (difference) return `two rollouts with seed ${seed} differ at ${difference}`;
  }
  return undefined;
}

/** One action per slot, sampled from the single action space. */
function sampleActions(env: AnyVectorEnv, rng: Rng): Int32Array {
  const actions = env.createActions();
  for (let i = 0; i < env.numEnvs; i++) env.setAction(actions, i, env.singleActionSpace.sample(rng));
  return actions;
}

/** Whether an invalid single action can be written into an Int32Array batch (an integer, or an Int32Array slate of the right size). */
function fitsActionBatch(env: AnyVectorEnv, value: unknown): boolean {
  if (typeof value === 'number') return Number.isInteger(value) && value >= -0x80000000 && value <= 0x7fffffff;
  if (!(value instanceof Int32Array)) return false;
  const size = env.createActions().length / env.numEnvs;
  return value.length === size;
}

/** Copies of every step's result, for comparing two rollouts (the env may reuse its buffers). */
function vectorRollout(env: AnyVectorEnv, seed: number, steps: number): unknown[] {
  const rng = createRng(`${seed}:determinism`);
  const out: unknown[] = [structuredClone(env.reset({ seed }))];
  for (let t = 0; t < steps; t++) out.push(structuredClone(env.step(sampleActions(env, rng))));
  return out;
}

function explainVectorStep(env: AnyVectorEnv, result: unknown): string | undefined {
  if (!isRecord(result)) return `expected a step result object, actual ${describeShape(result)}`;
  for (const key of ['observations', 'rewards', 'terminations', 'truncations', 'finalObservations', 'info']) {
    if (!(key in result)) return `expected step() to return ${key}, actual keys {${Object.keys(result).join(', ')}}`;
  }
  if ('dones' in result) return 'expected no `dones` field (terminations and truncations), actual dones present';
  const step = result as unknown as VectorEnvStepResult<unknown>;
  const n = env.numEnvs;
  if (!(step.rewards instanceof Float32Array) || step.rewards.length !== n) return `expected rewards as Float32Array(${n}), actual ${describeShape(step.rewards)}`;
  for (const key of ['terminations', 'truncations'] as const) {
    const flags = step[key];
    if (!(flags instanceof Uint8Array) || flags.length !== n) return `expected ${key} as Uint8Array(${n}), actual ${describeShape(flags)}`;
    for (let i = 0; i < n; i++) if (flags[i] > 1) return `expected ${key}[${i}] 0 or 1, actual ${flags[i]}`;
  }
  for (let i = 0; i < n; i++) if (!Number.isFinite(step.rewards[i])) return `expected finite rewards, actual rewards[${i}] ${step.rewards[i]}`;
  if (!isRecord(step.info)) return `expected info to be an object, actual ${describeShape(step.info)}`;
  const ended = (i: number) => step.terminations[i] === 1 || step.truncations[i] === 1;
  return explainBatch(env, step.observations, undefined, 'step observations') ?? explainBatch(env, step.finalObservations, ended, 'final observations');
}

/** Why some slot of `batch` (every slot, or those `isSlotValid` accepts) is not in the single observation space. */
function explainBatch(env: AnyVectorEnv, batch: unknown, isSlotValid: ((slot: number) => boolean) | undefined, where: string): string | undefined {
  for (let i = 0; i < env.numEnvs; i++) {
    if (isSlotValid && !isSlotValid(i)) continue;
    const reason = env.singleObservationSpace.explain(env.observationAt(batch, i));
    if (reason !== undefined) return `${where}: slot ${i} not in singleObservationSpace ${env.singleObservationSpace.toString()}: ${reason}`;
  }
  return undefined;
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
