/** Per-connection limits: messages and bytes per second (either may be absent). */
export interface RateLimits {
  readonly messagesPerSec?: number;
  readonly bytesPerSec?: number;
}

/**
 * One token bucket: `ratePerSec` tokens a second up to `ratePerSec` (a second's burst). A cost is
 * admitted once the bucket holds it, or holds a full burst for a cost larger than one (which then
 * leaves the bucket in debt: a large frame delays the next ones instead of never passing).
 */
class TokenBucket {
  readonly #ratePerMs: number;
  readonly #capacity: number;
  #tokens: number;
  #lastMs: number;

  constructor(ratePerSec: number, nowMs: number) {
    this.#ratePerMs = ratePerSec / 1000;
    this.#capacity = ratePerSec;
    this.#tokens = ratePerSec;
    this.#lastMs = nowMs;
  }

  /** Milliseconds until `cost` would be admitted (0: now), after refilling to `nowMs`. */
  waitMs(cost: number, nowMs: number): number {
    this.#tokens = Math.min(this.#capacity, this.#tokens + (nowMs - this.#lastMs) * this.#ratePerMs);
    this.#lastMs = nowMs;
    const needed = Math.min(cost, this.#capacity);
    return this.#tokens >= needed ? 0 : (needed - this.#tokens) / this.#ratePerMs;
  }

  take(cost: number): void {
    this.#tokens -= cost;
  }
}

/** One connection's rate limiter over message and byte buckets. */
export class RateLimiter {
  readonly #messages: TokenBucket | undefined;
  readonly #bytes: TokenBucket | undefined;

  /** @param limits rates per second; each must be a positive finite number when given */
  constructor(limits: RateLimits, nowMs: number) {
    for (const [name, rate] of Object.entries(limits)) {
      if (rate !== undefined && !(Number.isFinite(rate) && rate > 0)) throw new RangeError(`RateLimiter: expected ${name} > 0, actual ${rate}`);
    }
    this.#messages = limits.messagesPerSec === undefined ? undefined : new TokenBucket(limits.messagesPerSec, nowMs);
    this.#bytes = limits.bytesPerSec === undefined ? undefined : new TokenBucket(limits.bytesPerSec, nowMs);
  }

  /** True when the limits are set at all. */
  static isLimited(limits: RateLimits): boolean {
    return limits.messagesPerSec !== undefined || limits.bytesPerSec !== undefined;
  }

  /**
   * Admits a message of `bytes` at `nowMs` (0, and its cost is taken) or says how many milliseconds
   * to wait before it would be admitted (nothing is taken: a refused message costs nothing).
   */
  admit(bytes: number, nowMs: number): number {
    const wait = Math.max(this.#messages?.waitMs(1, nowMs) ?? 0, this.#bytes?.waitMs(bytes, nowMs) ?? 0);
    if (wait > 0) return wait;
    this.#messages?.take(1);
    this.#bytes?.take(bytes);
    return 0;
  }
}
