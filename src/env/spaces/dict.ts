import type { Rng } from '../../core/rng.js';
import { describeValue, requireRng, type Space, type SpaceValue } from './space.js';

/** Plain objects with exactly the given keys, each value a member of its space. */
export class Dict<S extends Record<string, Space<unknown>>> implements Space<{ [K in keyof S]: SpaceValue<S[K]> }> {
  readonly kind = 'Dict';
  readonly spaces: Readonly<S>;
  readonly #keys: string[];

  constructor(spaces: S) {
    if (spaces === null || typeof spaces !== 'object') throw new TypeError(`expected an object of spaces, actual ${describeValue(spaces)}`);
    for (const [key, space] of Object.entries(spaces)) {
      if (!space || typeof (space as Space<unknown>).contains !== 'function') {
        throw new TypeError(`expected a Space at key "${key}", actual ${describeValue(space)}`);
      }
    }
    this.spaces = Object.freeze({ ...spaces });
    this.#keys = Object.keys(spaces);
  }

  sample(rng: Rng): { [K in keyof S]: SpaceValue<S[K]> } {
    requireRng(rng, this);
    const out: Record<string, unknown> = {};
    for (const key of this.#keys) out[key] = this.spaces[key].sample(rng);
    return out as { [K in keyof S]: SpaceValue<S[K]> };
  }

  contains(value: unknown): value is { [K in keyof S]: SpaceValue<S[K]> } {
    return this.explain(value) === undefined;
  }

  explain(value: unknown): string | undefined {
    if (value === null || typeof value !== 'object' || Array.isArray(value) || ArrayBuffer.isView(value)) {
      return `expected an object {${this.#keys.join(', ')}}, actual ${describeValue(value)}`;
    }
    const record = value as Record<string, unknown>;
    const keys = Object.keys(record);
    if (keys.length !== this.#keys.length || this.#keys.some((k) => !(k in record))) {
      return `expected keys {${this.#keys.join(', ')}}, actual {${keys.join(', ')}}`;
    }
    for (const key of this.#keys) {
      const reason = this.spaces[key].explain(record[key]);
      if (reason !== undefined) return `${key}: ${reason}`;
    }
    return undefined;
  }

  toString(): string {
    return `Dict(${this.#keys.map((k) => `${k}: ${this.spaces[k].toString()}`).join(', ')})`;
  }
}
