import cluster, { type Worker } from 'node:cluster';
import type { Logger } from 'pino';
import { isListeningNote, type ShutdownNote, WORKER_PORT_VARIABLE, WORKER_SLOT_VARIABLE } from './worker-link.js';

/** How a pool restarts a worker that exited on its own. */
export interface RestartPolicy {
  /** Restarts of one slot within `windowMs`; one more exit and the slot stays empty. */
  readonly maxRestarts: number;
  readonly windowMs: number;
  /** Delay before the first restart; it doubles with each exit of the slot within the window. */
  readonly baseDelayMs: number;
  readonly maxDelayMs: number;
}

/** Options of {@link startWorkerPool}. */
export interface WorkerPoolOptions {
  /** Worker processes, 1..{@link MAX_WORKERS}. */
  readonly workers: number;
  /** The script every worker runs (the CLI) and its arguments (`serve` with the primary's flags). */
  readonly exec: string;
  readonly args: readonly string[];
  /** The port asked for; 0 lets the first worker's listen pick one, which every worker then shares. */
  readonly port: number;
  /** The primary's log. */
  readonly logger: Logger;
  readonly restart?: Partial<RestartPolicy>;
  /** Milliseconds a worker gets to close cleanly at shutdown before it is killed. */
  readonly shutdownGraceMs?: number;
}

/** Workers that serve one port. */
export interface WorkerPool {
  /** The port every worker listens on. */
  readonly port: number;
  /** Process ids of the live workers. */
  readonly pids: number[];
  /** Resolves when no worker is left: every slot exited more often than its restart policy allows. */
  readonly exhausted: Promise<void>;
  /** Asks every worker to close its envs and connections, waits for their exits; true when all exited with 0. Safe to call twice. */
  close(): Promise<boolean>;
}

/** A worker that exited before it listened while the pool was starting; it printed why, the pool exits with its code. */
export class WorkerStartError extends Error {
  readonly exitCode: number;
  constructor(worker: number, exitCode: number) {
    super(`recgym serve: worker ${worker} exited with ${exitCode} before listening`);
    this.exitCode = exitCode;
  }
}

/** Most worker processes a pool starts. */
export const MAX_WORKERS = 64;

export const RESTART_DEFAULTS: RestartPolicy = { maxRestarts: 5, windowMs: 60_000, baseDelayMs: 100, maxDelayMs: 5_000 };
const SHUTDOWN_GRACE_MS = 10_000;

/** The delay before restarting a slot that exited `recentExits` times within the window (1 = the exit just now), or undefined when it must stay empty. */
export function restartDelay(policy: RestartPolicy, recentExits: number): number | undefined {
  if (recentExits > policy.maxRestarts) return undefined;
  return Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (recentExits - 1));
}

interface Slot {
  readonly worker: number;
  process?: Worker;
  /** Its process said it listens (before that, it cannot hear a shutdown note yet). */
  isListening: boolean;
  /** Times of its exits within the restart window. */
  exits: number[];
  restartTimer?: NodeJS.Timeout;
}

/**
 * Forks `workers` processes of the CLI behind one port through `node:cluster` (the primary accepts
 * and hands connections round-robin). The first worker starts alone, so a bad flag or data file is
 * reported once; the others start beside each other after it listens. A worker that exits on its
 * own is logged and restarted after a doubling delay, unless its slot exited more than
 * `maxRestarts` times within `windowMs`; the other workers and their connections go on.
 *
 * @param {number} options.workers 1..64 worker processes
 * @param {number} [options.restart.maxRestarts=5] restarts of one slot within [options.restart.windowMs=60000]
 * @param {number} [options.restart.baseDelayMs=100] first restart delay, doubled up to [options.restart.maxDelayMs=5000]
 * @param {number} [options.shutdownGraceMs=10000] a worker not closed by then at shutdown is killed
 */
export async function startWorkerPool(options: WorkerPoolOptions): Promise<WorkerPool> {
  if (!Number.isInteger(options.workers) || options.workers < 1 || options.workers > MAX_WORKERS) throw new RangeError(`startWorkerPool: expected workers 1..${MAX_WORKERS}, actual ${options.workers}`);
  if (!cluster.isPrimary) throw new TypeError('startWorkerPool: expected to run in a cluster primary, actual a worker');
  const policy: RestartPolicy = { ...RESTART_DEFAULTS, ...Object.fromEntries(Object.entries(options.restart ?? {}).filter(([, v]) => v !== undefined)) };
  const graceMs = options.shutdownGraceMs ?? SHUTDOWN_GRACE_MS;
  const { logger } = options;
  const slots: Slot[] = Array.from({ length: options.workers }, (_, i) => ({ worker: i + 1, exits: [], isListening: false }));
  // Workers share the primary's listening handle while they ask for the same port: the asked one
  // (0 included) until none is alive, then the one in use, so a restart keeps the port.
  let keyPort = options.port;
  let boundPort: number | undefined;
  let isStarting = true;
  let closing: Promise<boolean> | undefined;
  let signalExhausted: () => void = () => {};
  const exhausted = new Promise<void>((resolve) => {
    signalExhausted = resolve;
  });

  const live = () => slots.filter((s) => s.process !== undefined);

  /** Forks the slot's process; resolves once it listens, rejects when it exits first. */
  function fork(slot: Slot): Promise<void> {
    if (live().length === 0 && boundPort !== undefined) keyPort = boundPort;
    cluster.setupPrimary({ exec: options.exec, args: [...options.args] });
    const child = cluster.fork({ [WORKER_SLOT_VARIABLE]: String(slot.worker), [WORKER_PORT_VARIABLE]: String(keyPort) });
    slot.process = child;
    slot.isListening = false;
    const pid = child.process.pid;
    return new Promise((resolve, reject) => {
      child.on('message', (message: unknown) => {
        if (!isListeningNote(message) || slot.isListening) return;
        slot.isListening = true;
        if (closing !== undefined) return askToClose(child);
        if (boundPort !== undefined && message.port !== boundPort) logger.warn({ worker: slot.worker, workerPid: pid, port: message.port, expected: boundPort }, 'worker listens on another port');
        boundPort ??= message.port;
        if (!isStarting) logger.info({ worker: slot.worker, workerPid: pid }, 'worker restarted');
        resolve();
      });
      child.once('exit', (code, signal) => {
        slot.process = undefined;
        const exitCode = code ?? 1;
        if (!slot.isListening) reject(new WorkerStartError(slot.worker, exitCode));
        if (closing !== undefined || (isStarting && !slot.isListening)) return;
        logger.error({ worker: slot.worker, workerPid: pid, code, signal }, 'worker exited');
        scheduleRestart(slot);
      });
    });
  }

  function scheduleRestart(slot: Slot): void {
    const now = performance.now();
    slot.exits = [...slot.exits.filter((t) => now - t < policy.windowMs), now];
    const delayMs = restartDelay(policy, slot.exits.length);
    if (delayMs === undefined) {
      logger.error({ worker: slot.worker, exits: slot.exits.length, windowMs: policy.windowMs }, 'worker not restarted: it exited too often');
      if (live().length === 0 && slots.every((s) => s.restartTimer === undefined)) {
        logger.fatal('no worker left');
        signalExhausted();
      }
      return;
    }
    logger.info({ worker: slot.worker, delayMs }, 'restarting worker');
    slot.restartTimer = setTimeout(() => {
      slot.restartTimer = undefined;
      if (closing !== undefined) return;
      fork(slot).catch(() => {
        // its exit was logged and another restart scheduled by the exit handler
      });
    }, delayMs);
  }

  async function shutDown(): Promise<boolean> {
    for (const slot of slots) clearTimeout(slot.restartTimer);
    const running = live().map((slot) => ({ child: slot.process as Worker, isListening: slot.isListening }));
    logger.info({ workers: running.length }, 'shutting down workers');
    const codes = await Promise.all(
      running.map(
        ({ child, isListening }) =>
          new Promise<number | null>((resolve) => {
            if (child.process.exitCode !== null || child.process.signalCode !== null) return resolve(child.process.exitCode);
            const timer = setTimeout(() => {
              logger.warn({ workerPid: child.process.pid, graceMs }, 'worker killed: not closed in time');
              child.process.kill('SIGKILL');
            }, graceMs);
            child.once('exit', (code) => {
              clearTimeout(timer);
              resolve(code);
            });
            // one still starting gets the note once it listens (the message handler of fork)
            if (isListening) askToClose(child);
          }),
      ),
    );
    const isClean = codes.every((code) => code === 0);
    logger.info({ isClean }, 'workers closed');
    return isClean;
  }

  function askToClose(child: Worker): void {
    const note: ShutdownNote = { recgym: 'shutdown' };
    if (child.isConnected()) child.send(note);
    else child.process.kill('SIGTERM');
  }

  const close = () => {
    closing ??= shutDown();
    return closing;
  };

  try {
    await fork(slots[0]);
    await Promise.all(slots.slice(1).map(fork));
  } catch (error) {
    await close();
    throw error;
  }
  isStarting = false;
  return {
    get port() {
      return boundPort as number;
    },
    get pids() {
      return live().map((s) => s.process?.process.pid as number);
    },
    exhausted,
    close,
  };
}
