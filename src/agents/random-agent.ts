import { fork, type Rng } from '../core/rng.js';
import type { EventStore } from '../data/event-store.js';
import type { TimeWindow } from '../data/split.js';
import type { Agent, StateBatch } from './agent.js';

/** Scores every item with an independent uniform draw from its seeded generator. */
export class RandomAgent implements Agent {
  readonly name: string = 'random';
  #rng: Rng | undefined;

  fit(_store: EventStore, _train: TimeWindow, rng: Rng): void {
    this.#rng = fork(rng, 'random-agent');
  }

  scoreCandidates(batch: StateBatch, _candidates: Int32Array, numCandidates: number, out: Float64Array): void {
    this.#fill(out, batch.users.length * numCandidates);
  }

  /** Each row draws one 32-bit seed from the agent's generator and fills the row from a xorshift32 stream. */
  scoreItems(batch: StateBatch, out: Float64Array): void {
    const rng = this.#rng;
    if (!rng) throw new TypeError('expected RandomAgent.fit() before scoring, actual an unfitted agent');
    const numItems = batch.numItems;
    for (let i = 0; i < batch.users.length; i++) {
      let x = rng.nextInt(0xffffffff) + 1;
      const end = (i + 1) * numItems;
      for (let j = i * numItems; j < end; j++) {
        x ^= x << 13;
        x ^= x >>> 17;
        x ^= x << 5;
        out[j] = (x >>> 0) / 4294967296;
      }
    }
  }

  #fill(out: Float64Array, n: number): void {
    const rng = this.#rng;
    if (!rng) throw new TypeError('expected RandomAgent.fit() before scoring, actual an unfitted agent');
    for (let j = 0; j < n; j++) out[j] = rng.next();
  }
}
