import type { Writable } from 'node:stream';

/**
 * Holds sockets corked from their first write in an event-loop turn until the turn's I/O callbacks
 * have run (`setImmediate`), then uncorks each once: the answers a turn produced for one connection
 * leave in one write, and the writes of all connections follow the reads of the turn.
 */
export class TurnWrites {
  readonly #held = new Map<Writable, (() => void) | undefined>();
  #isScheduled = false;
  readonly #flush = () => this.flush();

  /** Corks `socket` until the end of this turn, unless already held; `afterFlush` runs right after it is uncorked. */
  hold(socket: Writable, afterFlush?: () => void): void {
    if (this.#held.has(socket)) return;
    socket.cork();
    this.#held.set(socket, afterFlush);
    if (!this.#isScheduled) {
      this.#isScheduled = true;
      setImmediate(this.#flush);
    }
  }

  /** Uncorks every held socket now (their buffered writes go out) and runs their `afterFlush`. */
  flush(): void {
    this.#isScheduled = false;
    const held = [...this.#held];
    this.#held.clear();
    for (const [socket, afterFlush] of held) {
      socket.uncork();
      afterFlush?.();
    }
  }
}
