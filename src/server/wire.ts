import { Box, BOX_ARRAYS, type BoxDtype } from '../env/spaces/box.js';
import { Dict } from '../env/spaces/dict.js';
import { Discrete } from '../env/spaces/discrete.js';
import { Slate } from '../env/spaces/slate.js';
import { describeValue, type Space } from '../env/spaces/space.js';

/** A member of a space as JSON: a number (Discrete), an array of numbers (Box, Slate), an object (Dict). */
export type WireValue = number | number[] | { [key: string]: WireValue };

/** A batch of N members as JSON, slot after slot: one flat array per leaf space (N × its width). */
export type WireBatch = number[] | { [key: string]: WireBatch };

type TypedArray = Int8Array | Uint8Array | Int32Array | Float32Array | Float64Array;

/** A decoded batch: one typed array per leaf space, slot after slot. */
export type TypedBatch = TypedArray | { [key: string]: TypedBatch };

const CONSTRUCTORS: Record<BoxDtype, new (length: number) => TypedArray> = BOX_ARRAYS;

const INTEGER_RANGES: Partial<Record<BoxDtype, [number, number]>> = {
  int8: [-128, 127],
  uint8: [0, 255],
  int32: [-2147483648, 2147483647],
};

/** Decoded value, or why the JSON does not fit the space's type. */
export type Decoded<T> = { ok: true; value: T } | { ok: false; reason: string };

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && !ArrayBuffer.isView(value);
}

/** The element type a leaf space's values are written in. */
function leafDtype(space: Space<unknown>): BoxDtype {
  if (space instanceof Box) return space.dtype;
  return 'int32';
}

/** Elements per member of a leaf space (a Discrete member is one number). */
function leafWidth(space: Space<unknown>): number {
  if (space instanceof Box || space instanceof Slate) return space.size;
  if (space instanceof Discrete) return 1;
  throw new TypeError(`expected a Discrete, Box, Slate or Dict space, actual ${space?.kind ?? String(space)}`);
}

/** Copies JSON numbers (or a binary frame's typed array) into a typed array of `dtype`, refusing what the dtype cannot hold exactly (integers) or at all (non-numbers). */
function typedFrom(values: unknown, dtype: BoxDtype, length: number, where: string): Decoded<TypedArray> {
  if (!(Array.isArray(values) || ArrayBuffer.isView(values)) || (values as ArrayLike<unknown>).length !== length) {
    return { ok: false, reason: `${where}: expected an array of ${length} ${dtype} numbers, actual ${describeValue(values)}` };
  }
  const Typed = CONSTRUCTORS[dtype];
  // an array of the dtype itself holds only numbers it can (a binary frame's): copied as it is
  if (values instanceof Typed) return { ok: true, value: values.slice() };
  const out = new Typed(length);
  const range = INTEGER_RANGES[dtype];
  const source = values as ArrayLike<unknown>;
  for (let i = 0; i < length; i++) {
    const x = source[i];
    if (typeof x !== 'number' || (range !== undefined && !(Number.isInteger(x) && x >= range[0] && x <= range[1]))) {
      return { ok: false, reason: `${where}: expected ${dtype} numbers, actual ${describeValue(x)} at index ${i}` };
    }
    out[i] = x;
  }
  return { ok: true, value: out };
}

function label(where: string, key: string): string {
  return where ? `${where}.${key}` : key;
}

/** How many numbers one member of `space` is on the wire. */
export function numbersPerValue(space: Space<unknown>): number {
  if (space instanceof Dict) {
    let total = 0;
    for (const inner of Object.values(space.spaces as Record<string, Space<unknown>>)) total += numbersPerValue(inner);
    return total;
  }
  return leafWidth(space);
}

/** A member of `space` as JSON (typed arrays become arrays). */
export function encodeValue(space: Space<unknown>, value: unknown): WireValue {
  if (space instanceof Dict) {
    const out: Record<string, WireValue> = {};
    const record = value as Record<string, unknown>;
    for (const [key, inner] of Object.entries(space.spaces as Record<string, Space<unknown>>)) out[key] = encodeValue(inner, record[key]);
    return out;
  }
  if (space instanceof Discrete) return value as number;
  return Array.from(value as ArrayLike<number>);
}

/** Rebuilds a member of `space` from JSON (arrays become the space's typed arrays), or says why the JSON does not fit. */
export function decodeValue(space: Space<unknown>, json: unknown, where = ''): Decoded<unknown> {
  if (space instanceof Dict) {
    if (!isRecord(json)) return { ok: false, reason: `${where || 'value'}: expected an object, actual ${describeValue(json)}` };
    const out: Record<string, unknown> = {};
    for (const [key, inner] of Object.entries(space.spaces as Record<string, Space<unknown>>)) {
      const decoded = decodeValue(inner, json[key], label(where, key));
      if (!decoded.ok) return decoded;
      out[key] = decoded.value;
    }
    return { ok: true, value: out };
  }
  if (space instanceof Discrete) {
    if (typeof json !== 'number') return { ok: false, reason: `${where || 'value'}: expected a number, actual ${describeValue(json)}` };
    return { ok: true, value: json };
  }
  return typedFrom(json, leafDtype(space), leafWidth(space), where || 'value');
}

/**
 * A batch of `numEnvs` members of `space`, slot after slot, one `leaf(values)` per leaf space. Arrays
 * of `batch` already laid out that way (length N × width, as VectorRecommendationEnv's are) are
 * handed over whole; otherwise each slot is read with `slotAt` into an array of the leaf's dtype.
 */
function collectBatch<T>(space: Space<unknown>, numEnvs: number, batch: unknown, slotAt: (slot: number) => unknown, leaf: (values: TypedArray) => T): T | { [key: string]: T } {
  if (space instanceof Dict) {
    const out: Record<string, T | { [key: string]: T }> = {};
    const record = isRecord(batch) ? batch : {};
    for (const [key, inner] of Object.entries(space.spaces as Record<string, Space<unknown>>)) {
      out[key] = collectBatch(inner, numEnvs, record[key], (slot) => (slotAt(slot) as Record<string, unknown>)[key], leaf);
    }
    return out as { [key: string]: T };
  }
  const width = leafWidth(space);
  if (ArrayBuffer.isView(batch) && (batch as TypedArray).length === numEnvs * width) return leaf(batch as TypedArray);
  const out = new CONSTRUCTORS[leafDtype(space)](numEnvs * width);
  for (let slot = 0; slot < numEnvs; slot++) {
    const value = slotAt(slot);
    if (typeof value === 'number') out[slot] = value;
    else out.set(value as ArrayLike<number>, slot * width);
  }
  return leaf(out);
}

/** A batch of `numEnvs` members of `space` as JSON, slot after slot (see {@link collectBatch}). */
export function encodeBatch(space: Space<unknown>, numEnvs: number, batch: unknown, slotAt: (slot: number) => unknown): WireBatch {
  return collectBatch(space, numEnvs, batch, slotAt, (values) => Array.from(values)) as WireBatch;
}

/**
 * A batch of `numEnvs` members of `space` as typed arrays, slot after slot, for a binary frame
 * (the env's own arrays when laid out that way: encode them before the env steps again).
 */
export function typedBatch(space: Space<unknown>, numEnvs: number, batch: unknown, slotAt: (slot: number) => unknown): TypedBatch {
  return collectBatch(space, numEnvs, batch, slotAt, (values) => values) as TypedBatch;
}

/** Rebuilds a batch of `numEnvs` members from JSON (one typed array per leaf space), or says why it does not fit. */
export function decodeBatch(space: Space<unknown>, numEnvs: number, json: unknown, where = ''): Decoded<TypedBatch> {
  if (space instanceof Dict) {
    if (!isRecord(json)) return { ok: false, reason: `${where || 'batch'}: expected an object, actual ${describeValue(json)}` };
    const out: Record<string, TypedBatch> = {};
    for (const [key, inner] of Object.entries(space.spaces as Record<string, Space<unknown>>)) {
      const decoded = decodeBatch(inner, numEnvs, json[key], label(where, key));
      if (!decoded.ok) return decoded;
      out[key] = decoded.value;
    }
    return { ok: true, value: out };
  }
  return typedFrom(json, space instanceof Discrete ? 'float64' : leafDtype(space), numEnvs * leafWidth(space), where || 'batch');
}

/** Slot `slot` of a decoded batch as one member of `space` (a copy). */
export function batchSlot(space: Space<unknown>, batch: TypedBatch, slot: number): unknown {
  if (space instanceof Dict) {
    const out: Record<string, unknown> = {};
    const record = batch as Record<string, TypedBatch>;
    for (const [key, inner] of Object.entries(space.spaces as Record<string, Space<unknown>>)) out[key] = batchSlot(inner, record[key], slot);
    return out;
  }
  const array = batch as TypedArray;
  if (space instanceof Discrete) return array[slot];
  const width = leafWidth(space);
  return array.slice(slot * width, (slot + 1) * width);
}
