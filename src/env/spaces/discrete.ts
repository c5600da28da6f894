import type { Rng } from '../../core/rng.js';
import { describeValue, requireRng, type Space } from './space.js';

/** The integers `start .. start + n - 1`. */
export class Discrete implements Space<number> {
  readonly kind = 'Discrete';
  readonly n: number;
  readonly start: number;

  constructor(n: number, start = 0) {
    if (!Number.isInteger(n) || n < 1) throw new RangeError(`expected n to be an integer >= 1, actual ${n}`);
    if (!Number.isInteger(start)) throw new TypeError(`expected start to be an integer, actual ${start}`);
    this.n = n;
    this.start = start;
  }

  sample(rng: Rng): number {
    requireRng(rng, this);
    return this.start + rng.nextInt(this.n);
  }

  contains(value: unknown): value is number {
    return typeof value === 'number' && Number.isInteger(value) && value >= this.start && value < this.start + this.n;
  }

  explain(value: unknown): string | undefined {
    if (this.contains(value)) return undefined;
    return `expected an integer in [${this.start}, ${this.start + this.n - 1}], actual ${describeValue(value)}`;
  }

  toString(): string {
    return this.start === 0 ? `Discrete(${this.n})` : `Discrete(${this.n}, start=${this.start})`;
  }
}
