import { z } from 'zod';
import { ErrorCode, RecGymError } from '../core/errors.js';
import type { EventStore } from '../data/event-store.js';
import { splitAtTime, splitByDay, type TimeWindow } from '../data/split.js';
import { fitSimulator } from '../sim/fit-simulator.js';
import { applyPreset } from '../sim/presets.js';
import { ShopperModel } from '../sim/shopper-model.js';
import { parseSimModel, type SimModel } from '../sim/sim-model.js';
import type { CandidateSampler } from './candidates.js';
import type { ReplayObservationSpace } from './observation.js';
import { createActionSetup, parseEnvOptions, ReplayEnvOptionsSchema } from './replay-options.js';
import type { RewardTable } from './rewards.js';
import type { Discrete } from './spaces/discrete.js';
import type { Slate } from './spaces/slate.js';

/** Options of the simulated envs (single and vector): the replay envs' action, observation and reward options, and the simulator. */
export const SimEnvOptionsSchema = ReplayEnvOptionsSchema.pick({
  store: true,
  testDay: true,
  trainEnd: true,
  mode: true,
  numCandidates: true,
  slateSize: true,
  historyLength: true,
  negatives: true,
  catalogue: true,
  rewards: true,
  trainingEpoch: true,
  trainingEpochSchedule: true,
  seed: true,
})
  .extend({
    /** A preset name (`default`, `loyal`, …: fitted on the days before the test day, see `SIM_PRESETS`), or a fitted {@link SimModel} (e.g. read from `recgym sim fit`'s JSON). */
    simulator: z.union([z.string(), z.record(z.string(), z.unknown())]).default('default'),
    /** Truncate sessions after this many steps. */
    maxEpisodeSteps: z.number().int().min(1).default(200),
    /** States (user rows of the session log) that stay readable this many transitions after they were observed: a learner keeping past states in a replay buffer passes its capacity. */
    retainedStates: z.number().int().min(0).max(10_000_000).default(0),
  })
  .strict();

/** Options of the simulated envs as passed in (defaults applied by the env). */
export type SimEnvOptions = z.input<typeof SimEnvOptionsSchema>;

/** Options after defaults. */
export type ResolvedSimEnvOptions = z.output<typeof SimEnvOptionsSchema>;

/** Everything both simulated envs precompute from their options. */
export interface SimSetup {
  readonly options: ResolvedSimEnvOptions;
  readonly store: EventStore;
  /** The compiled simulator (its model's `trainWindow` is the window it was fitted on). */
  readonly shoppers: ShopperModel;
  readonly catalogue: Int32Array;
  /** Candidates mode only. */
  readonly sampler: CandidateSampler | undefined;
  readonly actionSpace: Discrete | Slate;
  readonly observationSpace: ReplayObservationSpace;
  readonly rewards: RewardTable;
}

const FITTED = new WeakMap<EventStore, Map<string, SimModel>>();

/** The simulator fitted on `store`'s `train` window, fitted once per store and window. */
export function fittedSimulator(store: EventStore, train: TimeWindow): SimModel {
  let byWindow = FITTED.get(store);
  if (!byWindow) FITTED.set(store, (byWindow = new Map()));
  const key = `${train.start}:${train.end}`;
  let model = byWindow.get(key);
  if (!model) byWindow.set(key, (model = fitSimulator(store, train)));
  return model;
}

/** Validates options, fits or checks the simulator and precomputes catalogue, sampler and spaces. */
export function createSimSetup(raw: unknown, who: string): SimSetup {
  const options = parseEnvOptions(SimEnvOptionsSchema, raw, who);
  const { store } = options;
  if (store.length === 0) throw new RecGymError(ErrorCode.NO_EVENTS, `${who}: the event store is empty`);
  if (options.trainEnd !== undefined && options.testDay !== undefined) {
    throw new RecGymError(ErrorCode.BAD_OPTION, `${who}: expected testDay or trainEnd, actual both`);
  }
  let model: SimModel;
  if (typeof options.simulator === 'string') {
    const split = options.trainEnd !== undefined ? splitAtTime(store, options.trainEnd) : splitByDay(store, options.testDay);
    model = applyPreset(fittedSimulator(store, split.train), options.simulator);
  } else {
    model = parseSimModel(options.simulator, `${who}: simulator`);
  }
  const shoppers = new ShopperModel(model, store, `${who}: simulator`);
  if (shoppers.shoppers.length === 0) throw new RecGymError(ErrorCode.NO_EVENTS, `${who}: expected users with events in the simulator's training window, actual none`);
  const { catalogue, sampler, actionSpace, observationSpace } = createActionSetup(store, model.trainWindow, options, who);
  return { options, store, shoppers, catalogue, sampler, actionSpace, observationSpace, rewards: options.rewards };
}
