import { createRng, type Rng } from '../core/rng.js';
import { UniformStream } from './uniform-stream.js';

/**
 * The order episodes are dealt in (one rule for every dynamics and both env forms): a seeded
 * shuffle of all episodes; once every episode has been dealt (a pass), the order is reshuffled.
 * `restart` goes back to pass 0 with a fresh shuffle at the next deal.
 */
export class EpisodeOrder {
  readonly #order: Int32Array;
  #cursor = 0;
  #passes = 0;
  #isStale = true;

  constructor(count: number) {
    this.#order = new Int32Array(count);
  }

  /** Completed passes since the last restart. */
  get passes(): number {
    return this.#passes;
  }

  /** Starts over at pass 0; the next deal reshuffles from the identity order. */
  restart(): void {
    this.#isStale = true;
    this.#passes = 0;
  }

  /** The next episode, shuffling with `rng` at the start of each pass. */
  next(rng: Rng): number {
    const order = this.#order;
    if (this.#isStale) {
      for (let e = 0; e < order.length; e++) order[e] = e;
      shuffle(order, rng);
      this.#cursor = 0;
      this.#passes = 0;
      this.#isStale = false;
    } else if (this.#cursor === order.length) {
      this.#passes++;
      shuffle(order, rng);
      this.#cursor = 0;
    }
    return order[this.#cursor++];
  }
}

function shuffle(order: Int32Array, rng: Rng): void {
  for (let e = order.length - 1; e > 0; e--) {
    const j = rng.nextInt(e + 1);
    const t = order[e];
    order[e] = order[j];
    order[j] = t;
  }
}

/**
 * What every dynamics shares for its randomness and episode order: an Rng from the seed, a
 * {@link UniformStream} seeded from it for candidate draws, and the {@link EpisodeOrder} of
 * `count` episodes dealt with that Rng. `seed` re-creates both and restarts the order at pass 0.
 */
export abstract class SeededEpisodes {
  // TypeScript-protected (plain) fields: read once per slot per step (see UniformStream on #private).
  protected rng: Rng;
  /** Candidate draws; seeded from `rng`. */
  protected stream: UniformStream;
  protected readonly order: EpisodeOrder;

  protected constructor(count: number, seed: number | string) {
    this.rng = createRng(seed);
    this.stream = new UniformStream(this.rng);
    this.order = new EpisodeOrder(count);
  }

  /** Completed passes over the episodes. */
  get passes(): number {
    return this.order.passes;
  }

  /** Re-creates the randomness from `seed` and restarts the episode order. */
  seed(seed: number | string): void {
    this.rng = createRng(seed);
    this.stream = new UniformStream(this.rng);
    this.order.restart();
  }

  /** The next episode of the seeded order. */
  nextEpisode(): number {
    return this.order.next(this.rng);
  }
}
