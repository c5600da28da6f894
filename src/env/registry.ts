import { ErrorCode, RecGymError } from '../core/errors.js';
import { EventStoreBuilder, type EventStore } from '../data/event-store.js';
import { createDefaultEventStore } from '../sim/default-data.js';
import type { AnyEnv, AnyVectorEnv } from './env.js';
import { RecommendationEnv } from './recommendation-env.js';
import { parseEnvOptions, parseReplayOptions, type ReplayEnvOptions } from './replay-options.js';
import { SimEnvOptionsSchema, type SimEnvOptions } from './sim-options.js';
import { SimulatorEnv } from './simulator-env.js';
import { describeValue } from './spaces/space.js';
import { VectorSimulatorEnv } from './vector-simulator-env.js';
import { VectorRecommendationEnv } from './vector-env.js';

/** Options of a registered env: everything of ReplayEnvOptions (a simulated env: of SimEnvOptions), the store optional. */
export type MakeEnvOptions = Partial<ReplayEnvOptions> & Partial<Pick<SimEnvOptions, 'simulator'>>;

/** The merged options an entry point receives (store filled in). */
export type EntryOptions = ReplayEnvOptions & Partial<Pick<SimEnvOptions, 'simulator'>>;

/** A registered env: how to build it and the defaults its id stands for. */
export interface EnvRegistration {
  readonly id: string;
  readonly description: string;
  /** Options the id fixes (callers may override them). */
  readonly defaults: Readonly<MakeEnvOptions>;
  /** Builds the env from the merged options (store filled in). */
  readonly entryPoint: (options: EntryOptions) => AnyEnv;
  /** Builds the N-slot form from the same options (the same dynamics behind the same core). */
  readonly vectorEntryPoint: (options: EntryOptions & { numEnvs: number }) => AnyVectorEnv;
  /** Checks the merged options with the env's schema (throws a short TypeError or RangeError naming `who`). */
  readonly checkOptions: (options: unknown, who: string) => void;
}

const REGISTRY = new Map<string, EnvRegistration>();
const ID_PATTERN = /^[A-Za-z][A-Za-z0-9_.:-]*-v\d+$/;
let defaultStore: EventStore | undefined;
/** Stands in for the default store while options are checked, so that a bad option fails before the default data is generated. */
let placeholderStore: EventStore | undefined;

/**
 * Registers an env id (`Name-vN`) with both its forms (default: the replay env and its vector
 * form); registering an id twice throws unless `override` is true.
 */
export function registerEnv(
  id: string,
  spec: {
    description: string;
    defaults?: MakeEnvOptions;
    entryPoint?: (options: EntryOptions) => AnyEnv;
    vectorEntryPoint?: (options: EntryOptions & { numEnvs: number }) => AnyVectorEnv;
    checkOptions?: (options: unknown, who: string) => void;
  },
  override = false,
): void {
  if (!ID_PATTERN.test(id)) throw new TypeError(`expected an env id like "Name-v0", actual "${id}"`);
  if (REGISTRY.has(id) && !override) throw new TypeError(`expected a new env id, actual "${id}" is already registered`);
  REGISTRY.set(id, {
    id,
    description: spec.description,
    defaults: Object.freeze({ ...(spec.defaults ?? {}) }),
    entryPoint: spec.entryPoint ?? ((options) => new RecommendationEnv(options)),
    vectorEntryPoint: spec.vectorEntryPoint ?? ((options) => new VectorRecommendationEnv(options)),
    checkOptions: spec.checkOptions ?? ((options, who) => void parseReplayOptions(options, who)),
  });
}

/** The registered envs, sorted by id. */
export function listEnvs(): EnvRegistration[] {
  return [...REGISTRY.values()].sort((a, b) => a.id.localeCompare(b.id));
}

/** The registration of `id`; an unknown id throws UNKNOWN_ENV listing the known ids. */
export function envSpec(id: string): EnvRegistration {
  const registration = REGISTRY.get(id);
  if (!registration) {
    throw new RecGymError(
      ErrorCode.UNKNOWN_ENV,
      `unknown env id: expected one of ${listEnvs().map((r) => r.id).join(', ')}, actual "${id}"`,
    );
  }
  return registration;
}

/** The embedded default data (generated once per process). */
export function defaultEventStore(): EventStore {
  defaultStore ??= createDefaultEventStore();
  return defaultStore;
}

/**
 * The id's defaults overridden by `options`, checked by the registration's options schema before
 * the default store is filled in: a TypeError or RangeError naming `who` and the field, short
 * however large the store (values are described, never serialised).
 */
function mergedOptions(registration: EnvRegistration, options: MakeEnvOptions, who: string): EntryOptions {
  if (options === null || typeof options !== 'object' || Array.isArray(options)) {
    throw new TypeError(`${who} options: expected an object, actual ${describeValue(options)}`);
  }
  const merged = { ...registration.defaults, ...stripUndefined(options) };
  registration.checkOptions({ ...merged, store: merged.store ?? (placeholderStore ??= new EventStoreBuilder().build()) }, who);
  return { ...merged, store: merged.store ?? defaultEventStore() } as EntryOptions;
}

function stripUndefined(options: MakeEnvOptions): MakeEnvOptions {
  return Object.fromEntries(Object.entries(options ?? {}).filter(([, v]) => v !== undefined)) as MakeEnvOptions;
}

/**
 * Builds a registered env. Options override the id's defaults; without `options.store` the
 * embedded default data is used. The env's `spec` records the id and the options it was made with.
 */
export function makeEnv<E extends AnyEnv = RecommendationEnv>(id: string, options: MakeEnvOptions = {}): E {
  const registration = envSpec(id);
  const merged = mergedOptions(registration, options, `makeEnv(${describeValue(id)})`);
  const env = registration.entryPoint(merged);
  const { store: _store, ...kwargs } = merged;
  env.spec = { id, maxEpisodeSteps: merged.maxEpisodeSteps, kwargs };
  return env as E;
}

/** Builds the vector form of a registered env (`numEnvs` slots; a {@link VectorRecommendationEnv} by default) with the id's options. */
export function makeVectorEnv<V extends AnyVectorEnv = VectorRecommendationEnv>(id: string, options: MakeEnvOptions & { numEnvs: number }): V {
  const registration = envSpec(id);
  const who = `makeVectorEnv(${describeValue(id)})`;
  if (options === null || typeof options !== 'object') throw new TypeError(`${who} options: expected an object with numEnvs, actual ${describeValue(options)}`);
  const { numEnvs, ...rest } = options;
  if (!Number.isSafeInteger(numEnvs) || numEnvs < 1) throw new RangeError(`${who} options: numEnvs: expected an integer >= 1, actual ${describeValue(numEnvs)}`);
  const merged = mergedOptions(registration, rest, who);
  const env = registration.vectorEntryPoint({ ...merged, numEnvs });
  const { store: _store, ...kwargs } = merged;
  env.spec = { id, maxEpisodeSteps: merged.maxEpisodeSteps, kwargs: { ...kwargs, numEnvs } };
  return env as V;
}

registerEnv('Tianchi-Replay-v0', {
  description: "Replay, candidates mode: pick 1 of 5 (the logged next item + 4 uniform negatives), as in the original article",
  defaults: { mode: 'candidates', numCandidates: 5, negatives: 'uniform' },
});
registerEnv('Tianchi-Replay-C20-v0', {
  description: 'Replay, candidates mode: pick 1 of 20 (the logged next item + 19 popularity-sampled negatives)',
  defaults: { mode: 'candidates', numCandidates: 20, negatives: 'popularity' },
});
registerEnv('Tianchi-Slate-v0', {
  description: 'Replay, slate mode: recommend 10 distinct catalogue items; a hit when the slate contains the logged next item',
  defaults: { mode: 'slate', slateSize: 10 },
});

/** The simulated envs: the user simulator fitted on the days before the test day (or `options.simulator`), spaces as the replay envs'. */
const simulated = {
  entryPoint: (options: EntryOptions) => new SimulatorEnv(options as SimEnvOptions),
  vectorEntryPoint: (options: EntryOptions & { numEnvs: number }) => new VectorSimulatorEnv(options as SimEnvOptions & { numEnvs: number }),
  checkOptions: (options: unknown, who: string) => void parseEnvOptions(SimEnvOptionsSchema, options, who),
};
registerEnv('Tianchi-Sim-v0', {
  description: 'Simulated shoppers (the default simulator, fitted), candidates mode: pick 1 of 20 (the shopper\'s own next item + 19 popularity-sampled negatives)',
  defaults: { simulator: 'default', mode: 'candidates', numCandidates: 20, negatives: 'popularity' },
  ...simulated,
});
registerEnv('Tianchi-Sim-Slate-v0', {
  description: 'Simulated shoppers (the default simulator, fitted), slate mode: recommend 10 distinct catalogue items; the shopper picks one or browses on their own',
  defaults: { simulator: 'default', mode: 'slate', slateSize: 10 },
  ...simulated,
});
registerEnv('Tianchi-Sim-Impatient-v0', {
  description: "Simulated impatient shoppers (preset 'impatient'), slate mode: poor slates use up patience fast, so recommendations decide the session's length",
  defaults: { simulator: 'impatient', mode: 'slate', slateSize: 10 },
  ...simulated,
});
registerEnv('Tianchi-Sim-Bored-v0', {
  description: "Simulated easily bored shoppers (preset 'easily-bored'), candidates mode as Tianchi-Sim-v0: more of a category they just had tires them, so the surest next click can shorten the session",
  defaults: { simulator: 'easily-bored', mode: 'candidates', numCandidates: 20, negatives: 'popularity' },
  ...simulated,
});
