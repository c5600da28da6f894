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

/** A generator seeded by `seed` (any integer or string); the same seed gives the same stream. */
export function createRng(seed: number | string): Rng {
  if (typeof seed === 'number' && !Number.isFinite(seed)) {
    throw new TypeError(`expected a finite seed, actual ${seed}`);
  }
  const prng = seedrandom.tychei(String(seed), { state: true }) as unknown as TycheiPrng;
  return new TycheiRng(prng);
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
