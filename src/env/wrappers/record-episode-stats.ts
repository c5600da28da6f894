import type { Env, ResetOptions, ResetResult, StepResult } from '../env.js';
import { Wrapper } from '../env.js';

/** Statistics of one finished episode. */
export interface EpisodeStats {
  /** Sum of rewards. */
  readonly return: number;
  readonly length: number;
  /** Steps whose `info.hit` was true. */
  readonly hits: number;
}

/**
 * Adds `info.episodeStats` at the end of each episode (terminated or truncated) and keeps the
 * last `bufferLength` episodes' stats in `returns`, `lengths` and `hitCounts`.
 */
export class RecordEpisodeStatistics<Obs, Act, RO = Record<string, unknown>> extends Wrapper<Obs, Act, RO> {
  readonly bufferLength: number;
  readonly returns: number[] = [];
  readonly lengths: number[] = [];
  readonly hitCounts: number[] = [];
  #return = 0;
  #length = 0;
  #hits = 0;
  #episodeCount = 0;

  constructor(env: Env<Obs, Act, RO>, bufferLength = 100) {
    super(env);
    if (!Number.isInteger(bufferLength) || bufferLength < 1) {
      throw new RangeError(`expected bufferLength to be an integer >= 1, actual ${bufferLength}`);
    }
    this.bufferLength = bufferLength;
  }

  /** Episodes finished so far. */
  get episodeCount(): number {
    return this.#episodeCount;
  }

  override reset(options?: ResetOptions<RO>): ResetResult<Obs> {
    this.#return = 0;
    this.#length = 0;
    this.#hits = 0;
    return this.env.reset(options);
  }

  override step(action: Act): StepResult<Obs> {
    const result = this.env.step(action);
    this.#return += result.reward;
    this.#length++;
    if (result.info.hit === true) this.#hits++;
    if (!(result.terminated || result.truncated)) return result;
    const stats: EpisodeStats = { return: this.#return, length: this.#length, hits: this.#hits };
    this.#episodeCount++;
    push(this.returns, stats.return, this.bufferLength);
    push(this.lengths, stats.length, this.bufferLength);
    push(this.hitCounts, stats.hits, this.bufferLength);
    return { ...result, info: { ...result.info, episodeStats: stats } };
  }
}

function push(buffer: number[], value: number, capacity: number): void {
  buffer.push(value);
  if (buffer.length > capacity) buffer.shift();
}
