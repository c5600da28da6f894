import type { Rng } from '../../core/rng.js';

/** States as requests (user, history length, request time), as in `StateBatch`; next states add their candidates. */
export interface ReplayStates {
  readonly users: Int32Array;
  readonly lengths: Int32Array;
  readonly times: Int32Array;
}

/** A sampled batch of transitions (s, a, r, s', terminated); `actions` are item ids. */
export interface ReplayBatch {
  readonly size: number;
  readonly observations: ReplayStates;
  readonly actions: Int32Array;
  readonly rewards: Float32Array;
  readonly nextObservations: ReplayStates & { readonly candidates: Int32Array };
  readonly terminations: Uint8Array;
  readonly truncations: Uint8Array;
  /** The item the user acted on in each transition (the label of the auxiliary next-item losses). */
  readonly nextItems: Int32Array;
}

/** Consecutive transitions of one episode: batch rows `start[s] .. start[s] + length[s] - 1`. */
export interface ReplaySegments {
  readonly batch: ReplayBatch;
  readonly count: number;
  readonly start: Int32Array;
  readonly length: Int32Array;
}

/** Options of {@link ReplayBuffer}. */
export interface ReplayBufferOptions {
  /** Transitions kept (rounded up to a multiple of numEnvs). */
  readonly capacity: number;
  readonly numEnvs: number;
  /** Candidates stored per next state. */
  readonly numCandidates: number;
}

/** Allocates an empty batch of `size` transitions. */
export function createReplayBatch(size: number, numCandidates: number): ReplayBatch {
  return {
    size,
    observations: { users: new Int32Array(size), lengths: new Int32Array(size), times: new Int32Array(size) },
    actions: new Int32Array(size),
    rewards: new Float32Array(size),
    nextObservations: { users: new Int32Array(size), lengths: new Int32Array(size), times: new Int32Array(size), candidates: new Int32Array(size * numCandidates) },
    terminations: new Uint8Array(size),
    truncations: new Uint8Array(size),
    nextItems: new Int32Array(size),
  };
}

/**
 * Experience replay on typed arrays, laid out as rows of `numEnvs` slots (one row per vector-env
 * step, as SB3 does), so the next step of slot e's episode is one row later. Samples only written
 * slots. Oldest rows are overwritten first.
 */
export class ReplayBuffer {
  readonly capacity: number;
  readonly numEnvs: number;
  readonly numCandidates: number;
  readonly #rows: number;
  #row = 0;
  #isFull = false;
  readonly #users: Int32Array;
  readonly #lengths: Int32Array;
  readonly #times: Int32Array;
  readonly #actions: Int32Array;
  readonly #rewards: Float32Array;
  readonly #nextUsers: Int32Array;
  readonly #nextLengths: Int32Array;
  readonly #nextTimes: Int32Array;
  readonly #nextCandidates: Int32Array;
  readonly #terminations: Uint8Array;
  readonly #truncations: Uint8Array;
  readonly #nextItems: Int32Array;

  constructor(options: ReplayBufferOptions) {
    const { capacity, numEnvs, numCandidates } = options;
    if (!(Number.isInteger(numEnvs) && numEnvs >= 1)) throw new RangeError(`expected numEnvs >= 1, actual ${numEnvs}`);
    if (!(Number.isInteger(capacity) && capacity >= 1)) throw new RangeError(`expected capacity >= 1, actual ${capacity}`);
    if (!(Number.isInteger(numCandidates) && numCandidates >= 1)) throw new RangeError(`expected numCandidates >= 1, actual ${numCandidates}`);
    this.#rows = Math.ceil(capacity / numEnvs);
    this.numEnvs = numEnvs;
    this.capacity = this.#rows * numEnvs;
    this.numCandidates = numCandidates;
    const n = this.capacity;
    this.#users = new Int32Array(n);
    this.#lengths = new Int32Array(n);
    this.#times = new Int32Array(n);
    this.#actions = new Int32Array(n);
    this.#rewards = new Float32Array(n);
    this.#nextUsers = new Int32Array(n);
    this.#nextLengths = new Int32Array(n);
    this.#nextTimes = new Int32Array(n);
    this.#nextCandidates = new Int32Array(n * numCandidates);
    this.#terminations = new Uint8Array(n);
    this.#truncations = new Uint8Array(n);
    this.#nextItems = new Int32Array(n);
  }

  /** Transitions currently stored. */
  get size(): number {
    return (this.#isFull ? this.#rows : this.#row) * this.numEnvs;
  }

  /**
   * Stores one vector-env step (numEnvs transitions): every array holds one entry per slot
   * (`nextCandidates` numEnvs x numCandidates; `nextItems` the item each user acted on). The arrays are copied.
   */
  add(
    observations: ReplayStates,
    actions: Int32Array,
    rewards: Float32Array,
    nextObservations: ReplayStates & { readonly candidates: Int32Array },
    terminations: Uint8Array,
    truncations: Uint8Array,
    nextItems: Int32Array,
  ): void {
    const E = this.numEnvs;
    const C = this.numCandidates;
    if (actions.length !== E || observations.users.length < E || nextObservations.candidates.length < E * C) {
      throw new RangeError(`ReplayBuffer.add: expected ${E} transitions with ${C} next candidates each, actual ${actions.length} actions, ${nextObservations.candidates.length} candidates`);
    }
    const base = this.#row * E;
    this.#users.set(observations.users.subarray(0, E), base);
    this.#lengths.set(observations.lengths.subarray(0, E), base);
    this.#times.set(observations.times.subarray(0, E), base);
    this.#actions.set(actions, base);
    this.#rewards.set(rewards.subarray(0, E), base);
    this.#nextUsers.set(nextObservations.users.subarray(0, E), base);
    this.#nextLengths.set(nextObservations.lengths.subarray(0, E), base);
    this.#nextTimes.set(nextObservations.times.subarray(0, E), base);
    this.#nextCandidates.set(nextObservations.candidates.subarray(0, E * C), base * C);
    this.#terminations.set(terminations.subarray(0, E), base);
    this.#truncations.set(truncations.subarray(0, E), base);
    this.#nextItems.set(nextItems.subarray(0, E), base);
    if (++this.#row === this.#rows) {
      this.#row = 0;
      this.#isFull = true;
    }
  }

  /** `batchSize` transitions drawn uniformly (with replacement) from the written slots. */
  sample(batchSize: number, rng: Rng, out: ReplayBatch = createReplayBatch(batchSize, this.numCandidates)): ReplayBatch {
    const size = this.#checkSample(batchSize, out);
    for (let i = 0; i < batchSize; i++) this.#copy(rng.nextInt(size), out, i);
    return out;
  }

  /**
   * `batchSize` transitions as segments of up to `segmentLength` consecutive steps of one episode
   * (starts uniform over written slots; a segment stops at a terminated or truncated step, at the
   * newest row, or where the batch is full).
   */
  sampleSegments(batchSize: number, segmentLength: number, rng: Rng, out: ReplayBatch = createReplayBatch(batchSize, this.numCandidates)): ReplaySegments {
    const size = this.#checkSample(batchSize, out);
    if (!(Number.isInteger(segmentLength) && segmentLength >= 1)) throw new RangeError(`expected segmentLength >= 1, actual ${segmentLength}`);
    const E = this.numEnvs;
    const rowsWritten = this.#isFull ? this.#rows : this.#row;
    const starts: number[] = [];
    const lengths: number[] = [];
    let n = 0;
    while (n < batchSize) {
      let index = rng.nextInt(size);
      starts.push(n);
      let length = 0;
      for (;;) {
        this.#copy(index, out, n++);
        length++;
        if (length === segmentLength || n === batchSize) break;
        if (this.#terminations[index] === 1 || this.#truncations[index] === 1) break;
        const nextRow = Math.floor(index / E) + 1 === this.#rows ? 0 : Math.floor(index / E) + 1;
        if (nextRow === this.#row || nextRow >= rowsWritten) break;
        index = nextRow * E + (index % E);
      }
      lengths.push(length);
    }
    return { batch: out, count: starts.length, start: Int32Array.from(starts), length: Int32Array.from(lengths) };
  }

  #checkSample(batchSize: number, out: ReplayBatch): number {
    const size = this.size;
    if (size === 0) throw new RangeError('ReplayBuffer.sample: expected a non-empty buffer, actual 0 transitions');
    if (!(Number.isInteger(batchSize) && batchSize >= 1) || out.size !== batchSize) {
      throw new RangeError(`ReplayBuffer.sample: expected batchSize >= 1 matching out.size, actual ${batchSize} and ${out.size}`);
    }
    return size;
  }

  #copy(index: number, out: ReplayBatch, i: number): void {
    const C = this.numCandidates;
    out.observations.users[i] = this.#users[index];
    out.observations.lengths[i] = this.#lengths[index];
    out.observations.times[i] = this.#times[index];
    out.actions[i] = this.#actions[index];
    out.rewards[i] = this.#rewards[index];
    out.nextObservations.users[i] = this.#nextUsers[index];
    out.nextObservations.lengths[i] = this.#nextLengths[index];
    out.nextObservations.times[i] = this.#nextTimes[index];
    out.nextObservations.candidates.set(this.#nextCandidates.subarray(index * C, index * C + C), i * C);
    out.terminations[i] = this.#terminations[index];
    out.truncations[i] = this.#truncations[index];
    out.nextItems[i] = this.#nextItems[index];
  }
}
