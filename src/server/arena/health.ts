import { nearestRank } from '../../core/quantile.js';

/** Server health for the admin page: request rate over the last seconds, p99 of the impression latencies kept, deadline misses per policy. */
export class Health {
  readonly #buckets: Float64Array;
  readonly #bucketSeconds: Float64Array;
  readonly #latencies: Float64Array;
  #latencyCount = 0;
  readonly #requests = new Map<string, { requests: number; misses: number }>();

  /** @param {number} [windowSeconds=10] the rate's window; [latencyWindow=2048] latencies kept for the p99 */
  constructor(windowSeconds = 10, latencyWindow = 2048) {
    this.#buckets = new Float64Array(windowSeconds);
    this.#bucketSeconds = new Float64Array(windowSeconds).fill(-1);
    this.#latencies = new Float64Array(latencyWindow);
  }

  /** Counts a message (an HTTP request or a websocket frame) at `nowMs`. */
  message(nowMs: number): void {
    const second = Math.floor(nowMs / 1000);
    const b = second % this.#buckets.length;
    if (this.#bucketSeconds[b] !== second) {
      this.#bucketSeconds[b] = second;
      this.#buckets[b] = 0;
    }
    this.#buckets[b]++;
  }

  /** Messages per second over the last full seconds of the window. */
  messagesPerSecond(nowMs: number): number {
    const second = Math.floor(nowMs / 1000);
    let total = 0;
    const n = this.#buckets.length;
    for (let b = 0; b < n; b++) if (this.#bucketSeconds[b] >= second - n && this.#bucketSeconds[b] < second) total += this.#buckets[b];
    return total / n;
  }

  /** Records the time an impression took to serve. */
  latency(ms: number): void {
    this.#latencies[this.#latencyCount++ % this.#latencies.length] = ms;
  }

  /** The 99th percentile (nearest rank) of the latencies kept, or null before any. */
  p99Ms(): number | null {
    const n = Math.min(this.#latencyCount, this.#latencies.length);
    if (n === 0) return null;
    return nearestRank(this.#latencies.slice(0, n).sort(), 0.99);
  }

  /** Counts one request to `policy`, a miss when it missed its deadline. */
  policyRequest(policy: string, isMissed: boolean): void {
    let entry = this.#requests.get(policy);
    if (!entry) this.#requests.set(policy, (entry = { requests: 0, misses: 0 }));
    entry.requests++;
    if (isMissed) entry.misses++;
  }

  /** Requests and deadline misses per policy. */
  deadlineMisses(): Array<{ policy: string; requests: number; misses: number }> {
    return [...this.#requests].map(([policy, e]) => ({ policy, ...e }));
  }
}
