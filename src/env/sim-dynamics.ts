import { StateBatch } from '../data/state-batch.js';
import { ShopperSessions } from '../sim/shopper-sessions.js';
import type { CandidateSampler } from './candidates.js';
import { SeededEpisodes } from './episode-order.js';
import { MdpCore, type Dynamics, type DynamicsStep } from './mdp-core.js';
import { writeHistory, type VectorObservation } from './observation.js';
import type { SimSetup } from './sim-options.js';

/**
 * The user simulator as dynamics: an episode is one session of a fitted user (episodes are the
 * users with training events, dealt by {@link EpisodeOrder}); each step the shopper responds to the
 * action (`ShopperSessions.respond`): the response is the deepest behaviour on a chosen shown item,
 * 0 when they browsed on their own; the episode terminates when they leave. The shoppers' histories
 * (their logged events, then the session's) live in the sessions' `SessionLog`, which the
 * observations' requests read. In candidates mode the candidates hold the shopper's organic next
 * item (what they would browse unprompted; `positiveIndices`) among negatives, as the replay env
 * holds the logged next item; in slate mode `positiveIndices` is the chosen slate position.
 */
export class SimDynamics extends SeededEpisodes implements Dynamics {
  readonly setup: SimSetup;
  readonly numSlots: number;
  readonly historyLength: number;
  readonly numCandidates: number;
  readonly slateSize: number;
  readonly sessions: ShopperSessions;
  /** 1 where the last action showed an item outside the fitted support (no training events). */
  readonly outsideSupport: Uint8Array;
  // TypeScript-private (plain) fields: read once per slot per step (see UniformStream on #private).
  private readonly sampler: CandidateSampler | undefined;
  private readonly inSupport: Uint8Array;
  /** The candidates each slot last observed (candidates mode), and the organic item's index in them. */
  private readonly slotCandidates: Int32Array;
  private readonly slotPositive: Int32Array;
  private readonly shown = new Int32Array(1);

  constructor(setup: SimSetup, numSlots: number, seed: number | string) {
    super(setup.shoppers.shoppers.length, seed);
    const { options } = setup;
    this.setup = setup;
    this.numSlots = numSlots;
    this.historyLength = options.historyLength;
    this.numCandidates = options.mode === 'candidates' ? options.numCandidates : 0;
    this.slateSize = options.mode === 'slate' ? options.slateSize : 0;
    this.sessions = new ShopperSessions(setup.shoppers, numSlots, Math.max(1, this.slateSize), options.retainedStates);
    this.outsideSupport = new Uint8Array(numSlots);
    this.sampler = setup.sampler;
    this.inSupport = setup.shoppers.inSupport;
    this.slotCandidates = new Int32Array(numSlots * this.numCandidates);
    this.slotPositive = new Int32Array(numSlots);
  }

  override seed(seed: number | string): void {
    super.seed(seed);
    this.sessions.restart();
  }

  start(slot: number, episode: number): void {
    this.sessions.start(slot, this.setup.shoppers.shoppers[episode], this.rng);
  }

  step(slot: number, actions: Int32Array, out: DynamicsStep): void {
    const sessions = this.sessions;
    const K = this.slateSize;
    let shown: Int32Array;
    let offset: number;
    let count: number;
    if (K > 0) {
      shown = actions;
      offset = slot * K;
      count = K;
    } else {
      shown = this.shown;
      shown[0] = this.slotCandidates[slot * this.numCandidates + actions[slot]];
      offset = 0;
      count = 1;
    }
    let isOutside = 0;
    for (let k = 0; k < count; k++) if (this.inSupport[shown[offset + k]] === 0) isOutside = 1;
    this.outsideSupport[slot] = isOutside;
    const hasLeft = sessions.respond(slot, shown, offset, count, this.rng);
    const chosen = sessions.chosen[slot];
    out.responses[slot] = chosen >= 0 ? sessions.depths[slot] : 0;
    out.nextItems[slot] = sessions.actedItems[slot];
    out.targetPositions[slot] = sessions.clickPositions[slot];
    out.positiveIndices[slot] = K > 0 ? chosen : this.slotPositive[slot];
    out.terminations[slot] = hasLeft ? 1 : 0;
    out.truncations[slot] = 0;
  }

  /** The slot's history (its row of the session log), candidates with its organic item planted, and its request at the slot's clock. */
  observe(slot: number, out: VectorObservation): void {
    const L = this.historyLength;
    const sessions = this.sessions;
    const log = sessions.log;
    const row = sessions.rows[slot];
    const rowStart = log.userOffsets[row];
    const rowEnd = log.end(row);
    writeHistory(log, log.hours, rowStart, rowEnd, L, out, slot * L);
    const sampler = this.sampler;
    if (sampler !== undefined) {
      const C = this.numCandidates;
      const offset = slot * C;
      const candidates = out.candidates;
      const kept = this.slotCandidates;
      this.slotPositive[slot] = sampler.fill(candidates, offset, sessions.organicItems[slot], this.stream);
      for (let k = offset; k < offset + C; k++) kept[k] = candidates[k];
    }
    out.users[slot] = row;
    out.lengths[slot] = rowEnd - rowStart;
    out.times[slot] = sessions.clocks[slot];
  }

  /** Index of the slot's organic item in the candidates it last observed (candidates mode; privileged: no observation holds it). */
  ownItemIndex(slot: number): number {
    return this.slotPositive[slot];
  }

  /** The item at candidate `index` of the slot's last observation (candidates mode). */
  candidateItem(slot: number, index: number): number {
    return this.slotCandidates[slot * this.numCandidates + index];
  }

  statesOver(users: Int32Array, lengths: Int32Array, times: Int32Array): StateBatch {
    return new StateBatch(this.sessions.log, users, lengths, times);
  }
}

/** The simulated MDP of `numSlots` slots: the dynamics over `setup` behind the core, with the setup's rewards and limits. */
export function createSimCore(setup: SimSetup, numSlots: number): MdpCore {
  const { options } = setup;
  return new MdpCore(new SimDynamics(setup, numSlots, options.seed ?? 0), {
    rewards: setup.rewards,
    trainingEpoch: options.trainingEpoch,
    trainingEpochSchedule: options.trainingEpochSchedule,
    maxEpisodeSteps: options.maxEpisodeSteps,
  });
}
