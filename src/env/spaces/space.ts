import { assertRng, type Rng } from '../../core/rng.js';

/** A set of valid actions or observations, Gymnasium style: seeded `sample` and `contains`. */
export interface Space<T> {
  /** Short name of the kind of space (`Discrete`, `Box`, `Dict`, `Slate`). */
  readonly kind: string;
  /**
   * A uniformly drawn member, using only `rng`, which is required (as the style guide has it,
   * rather than Gymnasium's space-owned generator): a space holds no random state, so the same
   * `rng` state gives the same member. Without an Rng it throws a TypeError saying so.
   */
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

/** Longest string, and most object keys, that {@link describeValue} shows. */
const MAX_SHOWN_CHARS = 60;
const MAX_SHOWN_KEYS = 8;

/** Describes a value briefly for error messages (bounded: long strings and key lists are cut). */
export function describeValue(value: unknown): string {
  if (value === null) return 'null';
  if (value === undefined) return 'undefined';
  if (ArrayBuffer.isView(value)) return `${value.constructor.name}(${(value as unknown as ArrayLike<number>).length})`;
  if (Array.isArray(value)) return `Array(${value.length})`;
  if (typeof value === 'function') return 'a function';
  if (typeof value === 'object') {
    const keys = Object.keys(value);
    const shown = keys.slice(0, MAX_SHOWN_KEYS).join(', ');
    const name = value.constructor && value.constructor !== Object ? `${value.constructor.name} ` : 'object ';
    return `${name}{${shown}${keys.length > MAX_SHOWN_KEYS ? `, … ${keys.length - MAX_SHOWN_KEYS} more` : ''}}`;
  }
  if (typeof value === 'string') {
    return JSON.stringify(value.length > MAX_SHOWN_CHARS ? `${value.slice(0, MAX_SHOWN_CHARS)}…` : value);
  }
  return String(value);
}

/** Throws a TypeError naming `space` when `rng` is not an {@link Rng} (what `sample` needs). */
export function requireRng(rng: unknown, space: { toString(): string }): asserts rng is Rng {
  assertRng(rng, `${space.toString()}.sample`);
}
