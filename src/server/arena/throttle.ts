/** Options of {@link LoginThrottle}. */
export interface ThrottleOptions {
  /** Failed logins allowed per key within `windowMs` before it is locked. */
  readonly maxFailures?: number;
  readonly windowMs?: number;
  /** The first lock; each further failure while counting doubles it, up to `maxLockMs`. */
  readonly lockMs?: number;
  readonly maxLockMs?: number;
}

const DEFAULTS = { maxFailures: 5, windowMs: 15 * 60_000, lockMs: 30_000, maxLockMs: 15 * 60_000 };

interface Entry {
  failures: number;
  firstMs: number;
  lockedUntilMs: number;
}

/**
 * Failed logins counted per key (a user name, a remote address): after `maxFailures` within
 * `windowMs` the key is locked for `lockMs`, doubled by every failure after that; a success clears
 * the key. Keys are forgotten once their window and lock have passed (bounded memory: `maxKeys`).
 */
export class LoginThrottle {
  readonly #o: Required<ThrottleOptions>;
  readonly #entries = new Map<string, Entry>();
  readonly #maxKeys: number;

  /**
   * @param {number} [options.maxFailures=5] failures per window before a lock
   * @param {number} [options.windowMs=900000] the counting window
   * @param {number} [options.lockMs=30000] the first lock; [options.maxLockMs=900000] the longest
   */
  constructor(options: ThrottleOptions = {}, maxKeys = 100_000) {
    this.#o = { ...DEFAULTS, ...options };
    for (const [name, value] of Object.entries(this.#o)) {
      if (!Number.isSafeInteger(value) || value < 1) throw new RangeError(`LoginThrottle: expected ${name} to be an integer >= 1, actual ${value}`);
    }
    this.#maxKeys = maxKeys;
  }

  /** Milliseconds until `key` may try again (0: now). */
  retryAfterMs(key: string, nowMs: number): number {
    const entry = this.#entries.get(key);
    return entry ? Math.max(0, entry.lockedUntilMs - nowMs) : 0;
  }

  /** Counts a failed login of `key`. */
  fail(key: string, nowMs: number): void {
    let entry = this.#entries.get(key);
    if (!entry || (nowMs - entry.firstMs > this.#o.windowMs && nowMs >= entry.lockedUntilMs)) {
      if (!entry && this.#entries.size >= this.#maxKeys) this.#forgetOld(nowMs);
      entry = { failures: 0, firstMs: nowMs, lockedUntilMs: 0 };
      this.#entries.set(key, entry);
    }
    entry.failures++;
    const over = entry.failures - this.#o.maxFailures;
    if (over >= 0) entry.lockedUntilMs = nowMs + Math.min(this.#o.maxLockMs, this.#o.lockMs * 2 ** Math.min(over, 30));
  }

  /** Forgets `key`'s failures (a successful login). */
  succeed(key: string): void {
    this.#entries.delete(key);
  }

  #forgetOld(nowMs: number): void {
    for (const [key, entry] of this.#entries) {
      if (nowMs - entry.firstMs > this.#o.windowMs && nowMs >= entry.lockedUntilMs) this.#entries.delete(key);
    }
    if (this.#entries.size >= this.#maxKeys) this.#entries.delete(this.#entries.keys().next().value as string);
  }
}
