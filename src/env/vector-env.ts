import { ErrorCode, RecGymError } from '../core/errors.js';
import { createRng, type Rng } from '../core/rng.js';
import { writeHistory } from './observation.js';
import { createReplaySetup, scheduledEpoch, type ReplayEnvOptions, type ReplaySetup } from './replay-options.js';
import { rewardLookup } from './rewards.js';
import type { Slate } from './spaces/slate.js';
import { UniformStream } from './uniform-stream.js';

/**
 * A batch of observations, slot `i` at `[i * L, (i + 1) * L)` of the history columns and
 * `[i * C, (i + 1) * C)` of `candidates` (empty in slate mode). `positions[i]` is the store position
 * of slot i's target event: the user's full history is store positions `userOffsets[users[i]] ..
 * positions[i] - 1`, for agents that need more than L events. In `finalObservations`,
 * `positions[i]` is the position after the episode's last event (the bound of the history shown).
 */
export interface VectorObservation {
  readonly items: Int32Array;
  readonly behaviors: Int8Array;
  readonly hours: Int8Array;
  readonly categories: Int32Array;
  readonly mask: Uint8Array;
  readonly candidates: Int32Array;
  readonly positions: Int32Array;
  readonly users: Int32Array;
}

/** Per-slot diagnostics of a vector step. */
export interface VectorStepInfo {
  /** Store position of the logged event each slot's action was judged against. */
  readonly targetPositions: Int32Array;
  /** Index of that event's item in the candidates (slate: in the action), -1 when absent. */
  readonly positiveIndices: Int32Array;
  /** Episode index each slot was in when it acted. */
  readonly episodes: Int32Array;
  /** Return and length of the episode that just ended (valid where terminated or truncated). */
  readonly episodeReturns: Float64Array;
  readonly episodeLengths: Int32Array;
}

/**
 * What `VectorRecommendationEnv.step` returns. All arrays are preallocated and OVERWRITTEN by the
 * next `step` or `reset`: copy what you keep.
 */
export interface VectorStepResult {
  /** Next observations; a finished slot already shows its new episode's first observation (same-step auto-reset). */
  readonly observations: VectorObservation;
  readonly rewards: Float32Array;
  readonly terminations: Uint8Array;
  readonly truncations: Uint8Array;
  /** 1 where the action hit the logged event. */
  readonly hits: Uint8Array;
  /** The last observation of each finished episode, valid only where terminations | truncations: bootstrap from it through truncation. */
  readonly finalObservations: VectorObservation;
  readonly info: VectorStepInfo;
}

/** What `VectorRecommendationEnv.reset` returns (buffers overwritten by later calls). */
export interface VectorResetResult {
  readonly observations: VectorObservation;
  readonly info: { readonly episodes: Int32Array; readonly numEpisodes: number; readonly passes: number };
}

function createVectorObservation(numEnvs: number, historyLength: number, numCandidates: number): VectorObservation {
  const n = numEnvs * historyLength;
  return {
    items: new Int32Array(n),
    behaviors: new Int8Array(n),
    hours: new Int8Array(n),
    categories: new Int32Array(n),
    mask: new Uint8Array(n),
    candidates: new Int32Array(numEnvs * numCandidates),
    positions: new Int32Array(numEnvs),
    users: new Int32Array(numEnvs),
  };
}

/**
 * Steps `numEnvs` replay episodes in lock-step on typed arrays, with same-step auto-reset.
 * Episodes are dealt to slots in a seeded shuffled order, reshuffled after each full pass
 * (`passes` counts completed passes: epochs of the data). Options are those of RecommendationEnv.
 * Nothing is allocated per step; every returned array is reused. With an `epochSchedule`, the
 * epoch is re-evaluated whenever a slot starts an episode (slots after it in the same step see the new epoch).
 */
export class VectorRecommendationEnv {
  readonly numEnvs: number;
  readonly setup: ReplaySetup;
  readonly historyLength: number;
  /** C in candidates mode, 0 in slate mode. */
  readonly numCandidates: number;
  /** K in slate mode, 0 in candidates mode. */
  readonly slateSize: number;
  #rng: Rng;
  /** Candidate draws; seeded from #rng. */
  #stream: UniformStream;
  #epoch: number;
  readonly #lookup = new Float64Array(5);
  readonly #order: Int32Array;
  #cursor = 0;
  #passes = 0;
  #episodesStarted = 0;
  #totalSteps = 0;
  #isReady = false;
  #isClosed = false;
  readonly #slotPosition: Int32Array;
  readonly #slotEnd: Int32Array;
  readonly #slotUserStart: Int32Array;
  readonly #slotIsCut: Uint8Array;
  readonly #slotEpisode: Int32Array;
  readonly #slotSteps: Int32Array;
  readonly #slotPositive: Int32Array;
  readonly #slotReturn: Float64Array;
  readonly #result: VectorStepResult;
  readonly #resetEpisodes: Int32Array;

  constructor(options: ReplayEnvOptions & { numEnvs: number }) {
    const { numEnvs, ...rest } = options ?? ({} as never);
    if (!Number.isInteger(numEnvs) || numEnvs < 1) throw new RangeError(`expected numEnvs to be an integer >= 1, actual ${numEnvs}`);
    this.numEnvs = numEnvs;
    this.setup = createReplaySetup(rest, 'VectorRecommendationEnv');
    const resolved = this.setup.options;
    this.historyLength = resolved.historyLength;
    this.numCandidates = resolved.mode === 'candidates' ? resolved.numCandidates : 0;
    this.slateSize = resolved.mode === 'slate' ? resolved.slateSize : 0;
    this.#rng = createRng(resolved.seed ?? 0);
    this.#stream = new UniformStream(this.#rng);
    this.#epoch = resolved.epoch;
    rewardLookup(resolved.rewards, this.#epoch, this.#lookup);
    this.#order = new Int32Array(this.setup.episodes.count);
    this.#slotPosition = new Int32Array(numEnvs);
    this.#slotEnd = new Int32Array(numEnvs);
    this.#slotUserStart = new Int32Array(numEnvs);
    this.#slotIsCut = new Uint8Array(numEnvs);
    this.#slotEpisode = new Int32Array(numEnvs);
    this.#slotSteps = new Int32Array(numEnvs);
    this.#slotPositive = new Int32Array(numEnvs);
    this.#slotReturn = new Float64Array(numEnvs);
    this.#resetEpisodes = new Int32Array(numEnvs);
    this.#result = {
      observations: createVectorObservation(numEnvs, this.historyLength, this.numCandidates),
      rewards: new Float32Array(numEnvs),
      terminations: new Uint8Array(numEnvs),
      truncations: new Uint8Array(numEnvs),
      hits: new Uint8Array(numEnvs),
      finalObservations: createVectorObservation(numEnvs, this.historyLength, this.numCandidates),
      info: {
        targetPositions: new Int32Array(numEnvs),
        positiveIndices: new Int32Array(numEnvs),
        episodes: new Int32Array(numEnvs),
        episodeReturns: new Float64Array(numEnvs),
        episodeLengths: new Int32Array(numEnvs),
      },
    };
  }

  /** Number of episodes in the replayed window. */
  get numEpisodes(): number {
    return this.setup.episodes.count;
  }

  /** Completed passes over all episodes (epochs of the data). */
  get passes(): number {
    return this.#passes;
  }

  /** Total slot-steps taken since construction. */
  get totalSteps(): number {
    return this.#totalSteps;
  }

  /** The current reward epoch. */
  get epoch(): number {
    return this.#epoch;
  }

  /** Sets the reward epoch; a schedule, if any, overrides it at the next episode start. */
  setEpoch(epoch: number): void {
    rewardLookup(this.setup.rewards, epoch, this.#lookup);
    this.#epoch = epoch;
  }

  /**
   * Starts a fresh episode in every slot. A `seed` re-creates the Rng and restarts the shuffled
   * episode order (passes back to 0); no seed continues the current order.
   */
  reset(resetOptions: { seed?: number | string } = {}): VectorResetResult {
    this.#assertOpen();
    if (resetOptions.seed !== undefined || !this.#isReady) {
      if (resetOptions.seed !== undefined) {
        this.#rng = createRng(resetOptions.seed);
        this.#stream = new UniformStream(this.#rng);
      }
      const order = this.#order;
      for (let e = 0; e < order.length; e++) order[e] = e;
      this.#shuffle();
      this.#cursor = 0;
      this.#passes = 0;
    }
    const observations = this.#result.observations;
    for (let i = 0; i < this.numEnvs; i++) {
      this.#startEpisode(i, observations);
      this.#resetEpisodes[i] = this.#slotEpisode[i];
    }
    this.#isReady = true;
    return { observations, info: { episodes: this.#resetEpisodes, numEpisodes: this.numEpisodes, passes: this.#passes } };
  }

  /**
   * Steps every slot with its action: `actions[i]` a candidate index (candidates mode), or
   * `actions[i * K .. (i + 1) * K)` a slate of distinct catalogue items (slate mode). Finished slots
   * auto-reset in the same step. The result's arrays are overwritten by the next call.
   */
  step(actions: Int32Array): VectorStepResult {
    this.#assertOpen();
    if (!this.#isReady) {
      throw new RecGymError(ErrorCode.RESET_NEEDED, 'VectorRecommendationEnv.step: expected reset() before the first step, actual step() on a fresh env');
    }
    this.#validate(actions);
    const numEnvs = this.numEnvs;
    const L = this.historyLength;
    const C = this.numCandidates;
    const K = this.slateSize;
    const { store, hours, sampler, window, options } = this.setup;
    const stream = this.#stream;
    const storeItems = store.items;
    const storeBehaviors = store.behaviors;
    const storeTimes = store.times;
    const storeUsers = store.users;
    const userOffsets = store.userOffsets;
    const windowEnd = window.end;
    const maxSteps = options.maxEpisodeSteps ?? 0x7fffffff;
    const lookup = this.#lookup;
    const slotPosition = this.#slotPosition;
    const slotEnd = this.#slotEnd;
    const slotUserStart = this.#slotUserStart;
    const slotIsCut = this.#slotIsCut;
    const slotEpisode = this.#slotEpisode;
    const slotSteps = this.#slotSteps;
    const slotPositive = this.#slotPositive;
    const slotReturn = this.#slotReturn;
    const result = this.#result;
    const { observations, finalObservations, rewards, terminations, truncations, hits, info } = result;
    const candidates = observations.candidates;
    const positions = observations.positions;
    const { targetPositions, positiveIndices, episodes, episodeReturns, episodeLengths } = info;
    const isSlate = K > 0;
    for (let i = 0; i < numEnvs; i++) {
      const p = slotPosition[i];
      const target = storeItems[p];
      let positiveIndex: number;
      if (isSlate) {
        positiveIndex = -1;
        for (let k = 0, base = i * K; k < K; k++) {
          if (actions[base + k] === target) {
            positiveIndex = k;
            break;
          }
        }
      } else {
        positiveIndex = slotPositive[i];
      }
      const isHit = isSlate ? positiveIndex >= 0 : actions[i] === positiveIndex;
      const reward = isHit ? lookup[storeBehaviors[p]] : 0;
      rewards[i] = reward;
      hits[i] = isHit ? 1 : 0;
      targetPositions[i] = p;
      positiveIndices[i] = positiveIndex;
      episodes[i] = slotEpisode[i];
      const steps = ++slotSteps[i];
      const episodeReturn = (slotReturn[i] += reward);
      const next = p + 1;
      const isEnd = next === slotEnd[i];
      const isCut = slotIsCut[i] === 1;
      const terminated = isEnd && !isCut;
      const truncated = (isEnd && isCut) || steps >= maxSteps;
      terminations[i] = terminated ? 1 : 0;
      truncations[i] = truncated ? 1 : 0;
      if (terminated || truncated) {
        const user = storeUsers[p];
        writeHistory(store, hours, slotUserStart[i], next, L, finalObservations, i * L);
        if (sampler !== undefined) {
          const hasNext = next < userOffsets[user + 1] && storeTimes[next] < windowEnd;
          sampler.fill(finalObservations.candidates, i * C, hasNext ? storeItems[next] : -1, stream);
        }
        finalObservations.positions[i] = next;
        finalObservations.users[i] = user;
        episodeReturns[i] = episodeReturn;
        episodeLengths[i] = steps;
        this.#startEpisode(i, observations);
      } else {
        slotPosition[i] = next;
        writeHistory(store, hours, slotUserStart[i], next, L, observations, i * L);
        if (sampler !== undefined) slotPositive[i] = sampler.fill(candidates, i * C, storeItems[next], stream);
        positions[i] = next;
      }
    }
    this.#totalSteps += numEnvs;
    return result;
  }

  /** Releases the env; later calls throw CLOSED. Safe to call twice. */
  close(): void {
    this.#isClosed = true;
    this.#isReady = false;
  }

  #assertOpen(): void {
    if (this.#isClosed) throw new RecGymError(ErrorCode.CLOSED, 'VectorRecommendationEnv: the env is closed; create a new one');
  }

  #validate(actions: Int32Array): void {
    const numEnvs = this.numEnvs;
    const K = this.slateSize;
    const expectedLength = K > 0 ? numEnvs * K : numEnvs;
    if (!(actions instanceof Int32Array) || actions.length !== expectedLength) {
      const actual = actions instanceof Int32Array ? `Int32Array(${actions.length})` : String((actions as object)?.constructor?.name ?? actions);
      throw new RecGymError(
        ErrorCode.INVALID_ACTION,
        `VectorRecommendationEnv.step: expected actions as Int32Array(${expectedLength})${K > 0 ? ` (numEnvs * slateSize)` : ''}, actual ${actual}`,
      );
    }
    if (K === 0) {
      const C = this.numCandidates;
      for (let i = 0; i < numEnvs; i++) {
        const a = actions[i];
        if (a < 0 || a >= C) {
          throw new RecGymError(ErrorCode.INVALID_ACTION, `VectorRecommendationEnv.step: actions[${i}]: expected a candidate index in [0, ${C - 1}], actual ${a}`);
        }
      }
      return;
    }
    const space = this.setup.actionSpace as Slate;
    for (let i = 0; i < numEnvs; i++) {
      for (let k = 0, base = i * K; k < K; k++) {
        const item = actions[base + k];
        if (!space.isAllowed(item)) {
          throw new RecGymError(ErrorCode.INVALID_ACTION, `VectorRecommendationEnv.step: slot ${i} slate[${k}]: expected a catalogue item id, actual ${item}`);
        }
        for (let j = base; j < base + k; j++) {
          if (actions[j] === item) {
            throw new RecGymError(ErrorCode.INVALID_ACTION, `VectorRecommendationEnv.step: slot ${i}: expected distinct item ids, actual ${item} twice`);
          }
        }
      }
    }
  }

  #shuffle(): void {
    const order = this.#order;
    const rng = this.#rng;
    for (let e = order.length - 1; e > 0; e--) {
      const j = rng.nextInt(e + 1);
      const t = order[e];
      order[e] = order[j];
      order[j] = t;
    }
  }

  /** Deals the next episode of the shuffled order to slot `i` and writes its first observation. */
  #startEpisode(i: number, observations: VectorObservation): void {
    const { episodes, store, sampler, hours, options } = this.setup;
    if (this.#cursor === this.#order.length) {
      this.#passes++;
      this.#shuffle();
      this.#cursor = 0;
    }
    const episode = this.#order[this.#cursor++];
    if (options.epochSchedule) {
      const epoch = scheduledEpoch(options.epochSchedule, { episodes: this.#episodesStarted, steps: this.#totalSteps, passes: this.#passes });
      if (epoch !== this.#epoch) this.setEpoch(epoch);
    }
    this.#episodesStarted++;
    const user = episodes.user[episode];
    const start = episodes.start[episode];
    const userStart = store.userOffsets[user];
    this.#slotEpisode[i] = episode;
    this.#slotPosition[i] = start;
    this.#slotEnd[i] = episodes.end[episode];
    this.#slotUserStart[i] = userStart;
    this.#slotIsCut[i] = episodes.cutByWindow[episode];
    this.#slotSteps[i] = 0;
    this.#slotReturn[i] = 0;
    const L = this.historyLength;
    writeHistory(store, hours, userStart, start, L, observations, i * L);
    this.#slotPositive[i] = sampler === undefined ? -1 : sampler.fill(observations.candidates, i * this.numCandidates, store.items[start], this.#stream);
    observations.positions[i] = start;
    observations.users[i] = user;
  }
}

/** Creates a {@link VectorRecommendationEnv}. */
export function createVectorEnv(options: ReplayEnvOptions & { numEnvs: number }): VectorRecommendationEnv {
  return new VectorRecommendationEnv(options);
}
