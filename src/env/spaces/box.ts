import type { Rng } from '../../core/rng.js';
import { describeValue, requireRng, type Space } from './space.js';

/** Element types of a {@link Box}. */
export type BoxDtype = 'int8' | 'uint8' | 'int32' | 'float32' | 'float64';

/** The typed array of each {@link BoxDtype}. */
export interface BoxArrays {
  int8: Int8Array;
  uint8: Uint8Array;
  int32: Int32Array;
  float32: Float32Array;
  float64: Float64Array;
}

/** The typed array of each Box dtype. */
export const BOX_ARRAYS = {
  int8: Int8Array,
  uint8: Uint8Array,
  int32: Int32Array,
  float32: Float32Array,
  float64: Float64Array,
} as const;

const RANGES: Record<BoxDtype, [number, number]> = {
  int8: [-128, 127],
  uint8: [0, 255],
  int32: [-2147483648, 2147483647],
  float32: [-Infinity, Infinity],
  float64: [-Infinity, Infinity],
};

/**
 * Typed arrays of a fixed length (`shape`, row-major) whose elements lie in [low, high].
 * Integer boxes sample uniformly over the integers; float boxes need finite bounds to sample.
 */
export class Box<D extends BoxDtype = BoxDtype> implements Space<BoxArrays[D]> {
  readonly kind = 'Box';
  readonly low: number;
  readonly high: number;
  readonly shape: readonly number[];
  readonly dtype: D;
  /** Number of elements (product of the shape). */
  readonly size: number;

  constructor(options: { low: number; high: number; shape: readonly number[]; dtype: D }) {
    const { low, high, shape, dtype } = options;
    if (!(dtype in BOX_ARRAYS)) throw new TypeError(`expected dtype int8|uint8|int32|float32|float64, actual ${String(dtype)}`);
    if (!Array.isArray(shape) || shape.some((d) => !Number.isInteger(d) || d < 0)) {
      throw new TypeError(`expected shape to be an array of integers >= 0, actual ${JSON.stringify(shape)}`);
    }
    if (Number.isNaN(low) || Number.isNaN(high) || low > high) {
      throw new RangeError(`expected low <= high, actual low ${low}, high ${high}`);
    }
    const isInteger = dtype !== 'float32' && dtype !== 'float64';
    const [min, max] = RANGES[dtype];
    if (isInteger && (!Number.isInteger(low) || !Number.isInteger(high) || low < min || high > max)) {
      throw new RangeError(`expected integer bounds within ${dtype} [${min}, ${max}], actual [${low}, ${high}]`);
    }
    this.low = low;
    this.high = high;
    this.shape = Object.freeze([...shape]);
    this.dtype = dtype;
    this.size = shape.reduce((a, b) => a * b, 1);
  }

  get isInteger(): boolean {
    return this.dtype !== 'float32' && this.dtype !== 'float64';
  }

  sample(rng: Rng): BoxArrays[D] {
    requireRng(rng, this);
    const out = new BOX_ARRAYS[this.dtype](this.size) as BoxArrays[D];
    const { low, high } = this;
    if (this.isInteger) {
      const span = high - low + 1;
      for (let i = 0; i < out.length; i++) out[i] = low + rng.nextInt(span);
    } else {
      if (!Number.isFinite(low) || !Number.isFinite(high)) {
        throw new RangeError(`expected finite bounds to sample a float Box, actual [${low}, ${high}]`);
      }
      for (let i = 0; i < out.length; i++) out[i] = low + rng.next() * (high - low);
    }
    return out;
  }

  contains(value: unknown): value is BoxArrays[D] {
    return this.explain(value) === undefined;
  }

  explain(value: unknown): string | undefined {
    const Ctor = BOX_ARRAYS[this.dtype];
    if (!(value instanceof Ctor)) return `expected ${Ctor.name}(${this.size}), actual ${describeValue(value)}`;
    const array = value as ArrayLike<number>;
    if (array.length !== this.size) return `expected ${Ctor.name}(${this.size}), actual ${describeValue(value)}`;
    const { low, high } = this;
    for (let i = 0; i < array.length; i++) {
      const x = array[i];
      if (!(x >= low && x <= high)) return `expected elements in [${low}, ${high}], actual ${x} at index ${i}`;
    }
    return undefined;
  }

  toString(): string {
    return `Box(${this.low}, ${this.high}, [${this.shape.join(', ')}], ${this.dtype})`;
  }
}
