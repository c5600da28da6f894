import { Dict } from '../env/spaces/dict.js';
import { Discrete } from '../env/spaces/discrete.js';
import type { Space } from '../env/spaces/space.js';

/** Typed arrays as arrays, non-finite numbers as null, nothing JSON cannot hold. */
export function toJson(value: unknown): unknown {
  if (ArrayBuffer.isView(value)) return Array.from(value as unknown as ArrayLike<number>, (x) => (Number.isFinite(x) ? x : null));
  if (Array.isArray(value)) return value.map(toJson);
  if (typeof value === 'number') return Number.isFinite(value) ? value : null;
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return value;
  if (typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [key, inner] of Object.entries(value)) {
      if (inner !== undefined && typeof inner !== 'function') out[key] = toJson(inner);
    }
    return out;
  }
  return null;
}

/**
 * True when `JSON.stringify(value)` writes what `JSON.stringify(toJson(value))` writes: numbers,
 * strings, booleans, null, and plain arrays and objects of them (functions and undefined are left
 * out or written null alike); false for typed arrays, other objects, `toJSON`, bigint and symbols.
 */
function isPlainJson(value: unknown, depth: number): boolean {
  const type = typeof value;
  if (type === 'number' || type === 'string' || type === 'boolean' || type === 'undefined' || type === 'function') return true;
  if (type !== 'object') return false;
  if (value === null) return true;
  if (depth > 16) return false;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) if (!isPlainJson(value[i], depth + 1)) return false;
    return true;
  }
  const proto = Object.getPrototypeOf(value);
  if (proto !== Object.prototype && proto !== null) return false;
  const record = value as Record<string, unknown>;
  if (typeof record.toJSON === 'function') return false;
  for (const key in record) if (!isPlainJson(record[key], depth + 1)) return false;
  return true;
}

/** `JSON.stringify(toJson(value))`, without the copy when `value` is plain JSON already (a step's `info`: 3.5x faster measured). */
export function jsonText(value: unknown): string {
  // at the top, undefined and a function are written by neither form alike (toJson makes them null)
  const isPlain = value !== undefined && typeof value !== 'function' && isPlainJson(value, 0);
  return isPlain ? JSON.stringify(value) : JSON.stringify(toJson(value));
}

const isIntegerArray = (value: ArrayBufferView) =>
  value instanceof Int32Array || value instanceof Uint8Array || value instanceof Int8Array || value instanceof Uint16Array || value instanceof Int16Array || value instanceof Uint32Array;

/** A typed array as JSON text, as JSON.stringify writes it as an array: a float array's non-finite numbers as null. */
function typedText(array: ArrayLike<number>, isInteger: boolean): string {
  if (!isInteger) {
    for (let i = 0; i < array.length; i++) if (!Number.isFinite(array[i])) return JSON.stringify(toJson(array));
  }
  if (array.length === 0) return '[]';
  // string concatenation writes each number as JSON does (ToString, -0 as 0); measured 3 to 4 times as fast as JSON.stringify(Array.from(array))
  let text = `[${array[0]}`;
  for (let i = 1; i < array.length; i++) text += `,${array[i]}`;
  return `${text}]`;
}

type AnyDict = Dict<Record<string, Space<unknown>>>;

const DICT_FIELDS = new WeakMap<AnyDict, ReadonlyArray<{ prefix: string; key: string; inner: Space<unknown> }>>();

/** A Dict's fields with the text before each value (`{"key":` or `,"key":`), written once per space (an observation 2.9 -> 2.1 µs, interleaved A/B). */
function dictFields(space: AnyDict): ReadonlyArray<{ prefix: string; key: string; inner: Space<unknown> }> {
  let fields = DICT_FIELDS.get(space);
  if (fields === undefined) {
    fields = Object.entries(space.spaces as Record<string, Space<unknown>>).map(([key, inner], i) => ({ prefix: `${i === 0 ? '{' : ','}${JSON.stringify(key)}:`, key, inner }));
    DICT_FIELDS.set(space, fields);
  }
  return fields;
}

/** A member of `space` as JSON text: `JSON.stringify(encodeValue(space, value))` without the intermediate arrays. */
export function valueText(space: Space<unknown>, value: unknown): string {
  if (space instanceof Dict) {
    const record = value as Record<string, unknown>;
    let text = '';
    for (const { prefix, key, inner } of dictFields(space)) text += prefix + valueText(inner, record[key]);
    return text === '' ? '{}' : `${text}}`;
  }
  if (space instanceof Discrete) return JSON.stringify(value);
  return ArrayBuffer.isView(value) ? typedText(value as unknown as ArrayLike<number>, isIntegerArray(value)) : JSON.stringify(Array.from(value as ArrayLike<number>));
}
