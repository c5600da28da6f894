import type { EventStore } from '../data/event-store.js';
import { requestTime, StateBatch } from '../data/state-batch.js';
import type { CandidateSampler } from './candidates.js';
import { CoreEnv } from './core-env.js';
import { SeededEpisodes } from './episode-order.js';
import { MdpCore, type Dynamics, type DynamicsStep } from './mdp-core.js';
import { writeHistory, type VectorObservation } from './observation.js';
import { createReplaySetup, type ReplaySetup } from './replay-options.js';

/**
 * Logged behaviour replayed as dynamics: an episode is one user's events in the replayed window;
 * each step's target is the user's next logged event, the response is its behaviour when the action
 * hits it (the candidate holding its item, or a slate containing it), and the episode terminates at
 * the user's last event (the gap or the log ends) or is truncated where the window edge cuts it.
 *
 * Episode order ({@link SeededEpisodes}, one rule for the single and the vector env): episodes not
 * chosen by the caller are dealt from a seeded shuffle of all episodes, reshuffled after each pass.
 * `seed` re-creates the Rng and restarts the order at pass 0.
 */
export class ReplayDynamics extends SeededEpisodes implements Dynamics {
  readonly setup: ReplaySetup;
  readonly numSlots: number;
  readonly historyLength: number;
  readonly numCandidates: number;
  readonly slateSize: number;
  // TypeScript-private (plain) fields: read once per slot per step (see UniformStream on #private).
  private readonly sampler: CandidateSampler | undefined;
  private readonly store: EventStore;
  private readonly hours: Int8Array;
  private readonly items: Int32Array;
  private readonly behaviors: Uint8Array;
  private readonly times: Int32Array;
  private readonly userOffsets: Int32Array;
  private readonly windowStart: number;
  private readonly windowEnd: number;
  // Slot state: the store position of the next target event, the episode end (exclusive), the user
  // and their first position, whether the window cuts the episode.
  private readonly slotPosition: Int32Array;
  private readonly slotEnd: Int32Array;
  private readonly slotUser: Int32Array;
  private readonly slotUserStart: Int32Array;
  private readonly slotIsCut: Uint8Array;
  /** Index of the target's item in the candidates last observed. */
  private readonly slotPositive: Int32Array;

  constructor(setup: ReplaySetup, numSlots: number, seed: number | string) {
    super(setup.episodes.count, seed);
    const { options, store } = setup;
    this.setup = setup;
    this.numSlots = numSlots;
    this.historyLength = options.historyLength;
    this.numCandidates = options.mode === 'candidates' ? options.numCandidates : 0;
    this.slateSize = options.mode === 'slate' ? options.slateSize : 0;
    this.sampler = setup.sampler;
    this.store = store;
    this.hours = setup.hours;
    this.items = store.items;
    this.behaviors = store.behaviors;
    this.times = store.times;
    this.userOffsets = store.userOffsets;
    this.windowStart = setup.window.start;
    this.windowEnd = setup.window.end;
    this.slotPosition = new Int32Array(numSlots);
    this.slotEnd = new Int32Array(numSlots);
    this.slotUser = new Int32Array(numSlots);
    this.slotUserStart = new Int32Array(numSlots);
    this.slotIsCut = new Uint8Array(numSlots);
    this.slotPositive = new Int32Array(numSlots);
  }

  start(slot: number, episode: number): void {
    const { episodes } = this.setup;
    const user = episodes.user[episode];
    this.slotPosition[slot] = episodes.start[episode];
    this.slotEnd[slot] = episodes.end[episode];
    this.slotUser[slot] = user;
    this.slotUserStart[slot] = this.userOffsets[user];
    this.slotIsCut[slot] = episodes.cutByWindow[episode];
  }

  step(slot: number, actions: Int32Array, out: DynamicsStep): void {
    const p = this.slotPosition[slot];
    let positiveIndex: number;
    let isHit: boolean;
    if (this.slateSize > 0) {
      positiveIndex = this.slatePositive(slot, actions, this.items[p]);
      isHit = positiveIndex >= 0;
    } else {
      positiveIndex = this.slotPositive[slot];
      isHit = actions[slot] === positiveIndex;
    }
    out.responses[slot] = isHit ? this.behaviors[p] : 0;
    out.nextItems[slot] = this.items[p];
    out.targetPositions[slot] = p;
    out.positiveIndices[slot] = positiveIndex;
    const next = p + 1;
    const isEnd = next === this.slotEnd[slot];
    const isCut = this.slotIsCut[slot] === 1;
    out.terminations[slot] = isEnd && !isCut ? 1 : 0;
    out.truncations[slot] = isEnd && isCut ? 1 : 0;
    this.slotPosition[slot] = next;
  }

  /**
   * The history before the slot's position; in candidates mode, candidates with the item at that
   * position planted when it is the user's next event inside the window (after an episode's last
   * step too, so that a truncated episode bootstraps from a real candidate set), else none.
   */
  observe(slot: number, out: VectorObservation): void {
    const L = this.historyLength;
    const position = this.slotPosition[slot];
    const user = this.slotUser[slot];
    writeHistory(this.store, this.hours, this.slotUserStart[slot], position, L, out, slot * L);
    const sampler = this.sampler;
    if (sampler !== undefined) {
      const hasNext = position < this.userOffsets[user + 1] && this.times[position] < this.windowEnd;
      this.slotPositive[slot] = sampler.fill(out.candidates, slot * this.numCandidates, hasNext ? this.items[position] : -1, this.stream);
    }
    // The request: the user's events before the target, asked at the last one's time (or the window's start).
    const userStart = this.slotUserStart[slot];
    out.users[slot] = user;
    out.lengths[slot] = position - userStart;
    out.times[slot] = requestTime(this.times, userStart, position, this.windowStart);
  }

  statesOver(users: Int32Array, lengths: Int32Array, times: Int32Array): StateBatch {
    return new StateBatch(this.store, users, lengths, times);
  }

  /** Index of `target` in slot's slate, -1 when absent (out of `step`, which V8 then inlines smaller in candidates mode). */
  private slatePositive(slot: number, actions: Int32Array, target: number): number {
    const K = this.slateSize;
    for (let k = 0, base = slot * K; k < K; k++) if (actions[base + k] === target) return k;
    return -1;
  }
}

/** The replay MDP of `numSlots` slots: the dynamics over `setup` behind the core, with the setup's rewards and limits. */
export function createReplayCore(setup: ReplaySetup, numSlots: number): MdpCore {
  const { options } = setup;
  const dynamics = new ReplayDynamics(setup, numSlots, options.seed ?? 0);
  return new MdpCore(dynamics, {
    rewards: setup.rewards,
    trainingEpoch: options.trainingEpoch,
    trainingEpochSchedule: options.trainingEpochSchedule,
    maxEpisodeSteps: options.maxEpisodeSteps,
  });
}

/**
 * What the single and the vector replay env share: the setup, the replay core of `numSlots` slots
 * (reads, training epoch and `close` from {@link CoreEnv}).
 */
export abstract class ReplayCoreEnv extends CoreEnv {
  /** The precomputed split, episodes, catalogue and sampler. */
  readonly setup: ReplaySetup;

  protected constructor(options: unknown, numSlots: number, who: string) {
    const setup = createReplaySetup(options, who);
    super(createReplayCore(setup, numSlots), who);
    this.setup = setup;
  }

  /** Number of episodes in the replayed window. */
  get numEpisodes(): number {
    return this.setup.episodes.count;
  }
}
