import cluster from 'node:cluster';

/** Environment variable naming a worker's slot (1..N); set by the primary of `recgym serve --workers N`. */
export const WORKER_SLOT_VARIABLE = 'RECGYM_WORKER';
/** Environment variable carrying the port a worker listens on (the primary's choice, which overrides `--port`). */
export const WORKER_PORT_VARIABLE = 'RECGYM_WORKER_PORT';

/** A worker tells its primary that it listens, on which port. */
export interface ListeningNote {
  readonly recgym: 'listening';
  readonly port: number;
}

/** The primary asks a worker to close its envs and connections and exit. */
export interface ShutdownNote {
  readonly recgym: 'shutdown';
}

/** A worker's slot and port, read from the environment the primary gave it. */
export interface WorkerSetting {
  readonly worker: number;
  readonly port: number;
}

function isNote(message: unknown, kind: string): boolean {
  return typeof message === 'object' && message !== null && (message as { recgym?: unknown }).recgym === kind;
}

/** True when `message` is a worker's {@link ListeningNote}. */
export function isListeningNote(message: unknown): message is ListeningNote {
  return isNote(message, 'listening') && Number.isInteger((message as ListeningNote).port);
}

/** This process's slot and port when it is a worker of a `--workers` server; undefined otherwise. */
export function workerSetting(env: NodeJS.ProcessEnv = process.env): WorkerSetting | undefined {
  if (!cluster.isWorker) return undefined;
  const worker = Number(env[WORKER_SLOT_VARIABLE]);
  const port = Number(env[WORKER_PORT_VARIABLE]);
  if (!Number.isInteger(worker) || worker < 1 || !Number.isInteger(port) || port < 0 || port > 65535) {
    throw new TypeError(`recgym serve worker: expected ${WORKER_SLOT_VARIABLE} >= 1 and ${WORKER_PORT_VARIABLE} 0..65535, actual ${env[WORKER_SLOT_VARIABLE]} and ${env[WORKER_PORT_VARIABLE]}`);
  }
  return { worker, port };
}

/** Tells the primary that this worker listens on `port`. */
export function reportListening(port: number): void {
  const note: ListeningNote = { recgym: 'listening', port };
  process.send?.(note);
}

/**
 * Resolves with the reason a worker should close: the primary's shutdown note or SIGTERM sent to
 * this worker. SIGINT is left to the primary (Ctrl-C reaches every process of the terminal's group;
 * the primary then shuts the workers down). A worker whose primary is gone exits at once (node:cluster).
 */
export function untilShutdown(): Promise<'shutdown' | 'SIGTERM'> {
  return new Promise((resolve) => {
    const ignoreInterrupt = () => {};
    const finish = (reason: 'shutdown' | 'SIGTERM') => {
      process.off('message', onMessage);
      process.off('SIGTERM', onTerm);
      resolve(reason);
    };
    const onMessage = (message: unknown) => {
      if (isNote(message, 'shutdown')) finish('shutdown');
    };
    const onTerm = () => finish('SIGTERM');
    process.on('SIGINT', ignoreInterrupt);
    process.on('message', onMessage);
    process.on('SIGTERM', onTerm);
  });
}

/** Leaves the cluster after closing: the channel to the primary closes and the worker exits. */
export function leaveCluster(): void {
  if (cluster.worker?.isConnected()) cluster.worker.disconnect();
}
