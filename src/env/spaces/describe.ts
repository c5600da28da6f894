import { z } from 'zod';
import { Box, type BoxDtype } from './box.js';
import { Dict } from './dict.js';
import { Discrete } from './discrete.js';
import { Slate } from './slate.js';
import type { Space } from './space.js';

/** A bound of a Box in JSON: a number, or `"inf"` / `"-inf"` (JSON has no infinities). */
const BoundSchema = z.union([z.number(), z.enum(['inf', '-inf'])]);

/** `Discrete(n, start)`: the integers start .. start + n - 1. */
export const DiscreteDescriptionSchema = z.object({
  kind: z.literal('Discrete'),
  n: z.number().int().min(1),
  start: z.number().int(),
});

/** `Box`: `shape` (row-major) elements of `dtype` in [low, high]. */
export const BoxDescriptionSchema = z.object({
  kind: z.literal('Box'),
  low: BoundSchema,
  high: BoundSchema,
  shape: z.array(z.number().int().min(0)),
  dtype: z.enum(['int8', 'uint8', 'int32', 'float32', 'float64']),
});

/** `Slate`: `size` distinct ids from `items` (ascending). */
export const SlateDescriptionSchema = z.object({
  kind: z.literal('Slate'),
  size: z.number().int().min(1),
  items: z.array(z.number().int().min(0)),
});

/** `Dict`: an object with exactly these keys, each value in its space. */
export interface DictDescription {
  kind: 'Dict';
  spaces: Record<string, SpaceDescription>;
}

/** A space as JSON, enough for a client to rebuild it with {@link spaceFromDescription}. */
export type SpaceDescription = z.infer<typeof DiscreteDescriptionSchema> | z.infer<typeof BoxDescriptionSchema> | z.infer<typeof SlateDescriptionSchema> | DictDescription;

/** Validates a {@link SpaceDescription} (Dict nests). */
export const SpaceDescriptionSchema: z.ZodType<SpaceDescription> = z
  .lazy(() =>
    z.discriminatedUnion('kind', [
      DiscreteDescriptionSchema,
      BoxDescriptionSchema,
      SlateDescriptionSchema,
      z.object({ kind: z.literal('Dict'), spaces: z.record(z.string(), SpaceDescriptionSchema) }),
    ]),
  )
  .meta({ id: 'SpaceDescription' });

function boundToJson(value: number): number | 'inf' | '-inf' {
  if (value === Infinity) return 'inf';
  if (value === -Infinity) return '-inf';
  return value;
}

function boundFromJson(value: number | 'inf' | '-inf'): number {
  if (value === 'inf') return Infinity;
  if (value === '-inf') return -Infinity;
  return value;
}

/** The JSON description of a Discrete, Box, Slate or Dict space; any other kind throws TypeError. */
export function describeSpace(space: Space<unknown>): SpaceDescription {
  if (space instanceof Discrete) return { kind: 'Discrete', n: space.n, start: space.start };
  if (space instanceof Box) {
    return { kind: 'Box', low: boundToJson(space.low), high: boundToJson(space.high), shape: [...space.shape], dtype: space.dtype };
  }
  if (space instanceof Slate) return { kind: 'Slate', size: space.size, items: Array.from(space.items) };
  if (space instanceof Dict) {
    const spaces: Record<string, SpaceDescription> = {};
    for (const [key, inner] of Object.entries(space.spaces as Record<string, Space<unknown>>)) spaces[key] = describeSpace(inner);
    return { kind: 'Dict', spaces };
  }
  throw new TypeError(`expected a Discrete, Box, Slate or Dict space, actual ${space?.kind ?? String(space)}`);
}

/** Rebuilds the space a {@link SpaceDescription} describes (the constructors' checks apply). */
export function spaceFromDescription(description: SpaceDescription): Space<unknown> {
  switch (description.kind) {
    case 'Discrete':
      return new Discrete(description.n, description.start);
    case 'Box':
      return new Box({ low: boundFromJson(description.low), high: boundFromJson(description.high), shape: description.shape, dtype: description.dtype as BoxDtype });
    case 'Slate':
      return new Slate({ size: description.size, items: Int32Array.from(description.items) });
    case 'Dict': {
      const spaces: Record<string, Space<unknown>> = {};
      for (const [key, inner] of Object.entries(description.spaces)) spaces[key] = spaceFromDescription(inner);
      return new Dict(spaces);
    }
  }
}
