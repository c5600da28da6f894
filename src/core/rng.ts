import seedrandom from 'seedrandom';

/** Serializable state of an {@link Rng}; `rngFromState` rebuilds the generator from it. */
export interface RngState {
  readonly algorithm: 'tychei';
  readonly a: number;
  readonly b: number;
  readonly c: number;
  readonly d: number;
}

/**
 * A seeded pseudo-random generator. Every random choice in recgym goes through one,
 * so a run is reproduced exactly by its seed.
 *
 * - `next()` returns a uniform double in [0, 1).
 * - `nextInt(n)` returns a uniform integer in [0, n) for 1 <= n <= 2^32.
 * - `clone()` returns an independent generator in the same state.
 * - `getState()` returns a plain object; `rngFromState(state)` continues the same stream.
 */
export interface Rng {
  next(): number;
  nextInt(n: number): number;
  clone(): Rng;
  getState(): RngState;
}

interface TycheiPrng {
  (): number;
  double(): number;
  int32(): number;
  state(): { a: number; b: number; c: number; d: number };
}

class TycheiRng implements Rng {
  readonly #prng: TycheiPrng;

  constructor(prng: TycheiPrng) {
    this.#prng = prng;
  }

  next(): number {
    return this.#prng();
  }

  nextInt(n: number): number {
    return Math.floor(this.#prng() * n);
  }

  clone(): Rng {
    return rngFromState(this.getState());
  }

  getState(): RngState {
    const { a, b, c, d } = this.#prng.state();
    return { algorithm: 'tychei', a, b, c, d };
  }
}

/** True when `value` is a seed: a non-negative safe integer (what every public seed parameter takes). */
export function isSeed(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;
}

/**
 * Throws unless `value` is a seed ({@link isSeed}): a TypeError for anything but an integer, a
 * RangeError for a negative or unsafe integer, both naming `who`.
 */
export function assertSeed(value: unknown, who: string): asserts value is number {
  if (isSeed(value)) return;
  const actual = typeof value === 'string' ? JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value) : typeof value === 'number' ? String(value) : typeof value;
  const message = `${who}: expected a seed (an integer 0 .. ${Number.MAX_SAFE_INTEGER}), actual ${actual}`;
  throw Number.isInteger(value) ? new RangeError(message) : new TypeError(message);
}

/**
 * A generator seeded by `seed`; the same seed gives the same stream. A number must be a seed
 * ({@link isSeed}); a non-empty string is a derived seed (`${seed}:label`, as `fork` and the
 * components that split one seed into several streams write them).
 */
export function createRng(seed: number | string): Rng {
  if (typeof seed === 'string') {
    if (seed === '') throw new TypeError('createRng: expected a seed or a non-empty string, actual ""');
  } else {
    assertSeed(seed, 'createRng');
  }
  const prng = seedrandom.tychei(String(seed), { state: true }) as unknown as TycheiPrng;
  return new TycheiRng(prng);
}

/** Throws a TypeError naming `who` unless `value` is an {@link Rng} (has `next` and `nextInt`). */
export function assertRng(value: unknown, who: string): asserts value is Rng {
  const candidate = value as Partial<Rng> | null | undefined;
  if (typeof candidate?.next === 'function' && typeof candidate.nextInt === 'function') return;
  const actual = value === null || value === undefined || typeof value !== 'object' ? String(value) : 'an object without next() and nextInt()';
  throw new TypeError(`${who}: expected an Rng (createRng(seed)), actual ${typeof value === 'string' ? JSON.stringify(value.slice(0, 40)) : actual}`);
}

/** Rebuilds a generator from `getState()`, continuing its stream. */
export function rngFromState(state: RngState): Rng {
  if (state.algorithm !== 'tychei') {
    throw new TypeError(`expected an RngState of algorithm "tychei", actual ${String(state.algorithm)}`);
  }
  const copy = { a: state.a, b: state.b, c: state.c, d: state.d };
  const prng = seedrandom.tychei('', { state: copy }) as unknown as TycheiPrng;
  return new TycheiRng(prng);
}

/**
 * Derives an independent child generator: the parent advances by one draw, and the child is
 * seeded from that draw and `label`, so forks with different labels give unrelated streams.
 */
export function fork(parent: Rng, label = ''): Rng {
  const draw = Math.floor(parent.next() * 0x100000000);
  return createRng(`${draw}:${label}`);
}

/** Accepts a seed or a generator and returns a generator; `undefined` draws a seed from the clock. */
export function toRng(seedOrRng: number | string | Rng | undefined): Rng {
  if (seedOrRng === undefined) return createRng(Date.now());
  if (typeof seedOrRng === 'number' || typeof seedOrRng === 'string') return createRng(seedOrRng);
  return seedOrRng;
}
