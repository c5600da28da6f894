import type { Rng } from './rng.js';

/**
 * Walker's alias method: draws index i with probability weights[i] / sum(weights) in O(1),
 * one uniform draw per sample. Built in O(n) from non-negative weights with a positive sum.
 */
export class AliasTable {
  /** Number of outcomes. */
  readonly size: number;
  /** Column i keeps outcome i when `u * size - i < probabilities[i]`, else gives `aliases[i]`. */
  readonly probabilities: Float64Array;
  readonly aliases: Int32Array;

  constructor(weights: ArrayLike<number>) {
    const n = weights.length;
    if (n === 0) throw new RangeError('expected at least one weight, actual 0');
    let total = 0;
    for (let i = 0; i < n; i++) {
      const w = weights[i];
      if (!(w >= 0) || !Number.isFinite(w)) throw new RangeError(`expected a finite weight >= 0 at ${i}, actual ${w}`);
      total += w;
    }
    if (!(total > 0)) throw new RangeError(`expected a positive total weight, actual ${total}`);
    this.size = n;
    const probabilities = new Float64Array(n);
    const aliases = new Int32Array(n);
    const small = new Int32Array(n);
    const large = new Int32Array(n);
    let smallCount = 0;
    let largeCount = 0;
    for (let i = 0; i < n; i++) {
      probabilities[i] = (weights[i] * n) / total;
      aliases[i] = i;
      if (probabilities[i] < 1) small[smallCount++] = i;
      else large[largeCount++] = i;
    }
    while (smallCount > 0 && largeCount > 0) {
      const less = small[--smallCount];
      const more = large[largeCount - 1];
      aliases[less] = more;
      probabilities[more] += probabilities[less] - 1;
      if (probabilities[more] < 1) {
        largeCount--;
        small[smallCount++] = more;
      }
    }
    while (largeCount > 0) probabilities[large[--largeCount]] = 1;
    while (smallCount > 0) probabilities[small[--smallCount]] = 1;
    this.probabilities = probabilities;
    this.aliases = aliases;
  }

  /** Draws one index. */
  sample(rng: Pick<Rng, 'next'>): number {
    const scaled = rng.next() * this.size;
    const column = Math.floor(scaled);
    return scaled - column < this.probabilities[column] ? column : this.aliases[column];
  }
}
