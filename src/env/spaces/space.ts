import type { Rng } from '../../core/rng.js';

/** A set of valid actions or observations, Gymnasium style: seeded `sample` and `contains`. */
export interface Space<T> {
  /** Short name of the kind of space (`Discrete`, `Box`, `Dict`, `Slate`). */
  readonly kind: string;
  /** A uniformly drawn member, using only `rng`. */
  sample(rng: Rng): T;
  /** True when `value` is a member (right type, shape and values). */
  contains(value: unknown): value is T;
  /** Why `value` is not a member ("expected X, actual Y"), or undefined when it is. */
  explain(value: unknown): string | undefined;
  /** A readable description, e.g. `Discrete(20)`. */
  toString(): string;
}

/** The member type of a space. */
export type SpaceValue<S> = S extends Space<infer T> ? T : never;

/** Describes a value briefly for error messages. */
export function describeValue(value: unknown): string {
  if (value === null) return 'null';
  if (value === undefined) return 'undefined';
  if (ArrayBuffer.isView(value)) return `${value.constructor.name}(${(value as unknown as ArrayLike<number>).length})`;
  if (Array.isArray(value)) return `Array(${value.length})`;
  if (typeof value === 'object') return `object {${Object.keys(value).join(', ')}}`;
  if (typeof value === 'string') return JSON.stringify(value);
  return String(value);
}
