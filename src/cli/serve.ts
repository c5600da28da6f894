import { claimSignals } from './signal-owner.js';
import { readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import type { Logger } from 'pino';
import { ErrorCode, RecGymError } from '../core/errors.js';
import { FORMAT_NAMES } from '../data/detect-format.js';
import { createLogger, isLogLevel, LOG_LEVELS, type LogLevel } from '../server/logger.js';
import { PROTOCOL_VERSION } from '../server/protocol.js';
import { isLoopbackHost, serverUrl, startServer } from '../server/server.js';
import { leaveCluster, reportListening, untilShutdown, workerSetting } from '../server/worker-link.js';
import { MAX_WORKERS, RESTART_DEFAULTS, startWorkerPool, type WorkerPool, WorkerStartError } from '../server/worker-pool.js';
import { intFlag, parseFlags, UsageError, type CliIo, type Command } from './command.js';
import { loadStore } from './load-store.js';

/** The CLI every worker runs (this build's). */
const MAIN = fileURLToPath(new URL('./main.js', import.meta.url));

const USAGE = `usage: recgym serve [--host 127.0.0.1] [--port 8080] [--token-file F] [--data FILE] [--format F]
                    [--idle-timeout SECONDS] [--rate-messages N] [--rate-bytes N] [--workers N]
                    [--log-level L]

Serves every registered env over a websocket (protocol ${PROTOCOL_VERSION}, docs/protocol.md) until
Ctrl-C or SIGTERM, which close every env and connection. Logs are JSON lines on stdout.

  --host H             interface to bind (default 127.0.0.1); any other than loopback needs --token-file
  --port N             TCP port, 0 picks a free one (default 8080)
  --token-file F       file whose first line is the token every client's hello must carry
  --data FILE          event log the envs replay (default: the embedded default data)
  --format F           ${['auto', ...FORMAT_NAMES].join(' | ')} (default auto)
  --idle-timeout S     close envs without a request for S seconds (default 300)
  --rate-messages N    at most N requests per second per connection (a second's burst); more are
                       answered RECGYM_ERR_RATE_LIMITED with retryAfterMs (default: no limit)
  --rate-bytes N       at most N request bytes per second per connection, likewise (default: no limit)
  --workers N          N worker processes behind the one port (node:cluster; the primary hands
                       connections out round-robin), each serving every env with these flags:
                       1..${MAX_WORKERS}, or auto for one per core (default 1: one process). A worker
                       that exits is logged and restarted (at most ${RESTART_DEFAULTS.maxRestarts} times in ${RESTART_DEFAULTS.windowMs / 1000} s each)
  --log-level L        ${LOG_LEVELS.join(' | ')} (default info)`;

const FLAGS = {
  host: { type: 'string' },
  port: { type: 'string' },
  'token-file': { type: 'string' },
  data: { type: 'string' },
  format: { type: 'string' },
  'idle-timeout': { type: 'string' },
  'rate-messages': { type: 'string' },
  'rate-bytes': { type: 'string' },
  workers: { type: 'string' },
  'log-level': { type: 'string' },
} as const;

/** The token on the first line of `path`; a missing file or an empty first line is a RecGymError naming the file. */
export function readToken(path: string): string {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new RecGymError(ErrorCode.FILE_NOT_FOUND, `--token-file ${path}: expected a readable file, actual ${(error as Error).message}`);
  }
  const token = text.split(/\r?\n/, 1)[0].trim();
  if (token.length === 0) throw new RecGymError(ErrorCode.BAD_OPTION, `--token-file ${path}:1: expected a token on the first line, actual an empty line`);
  return token;
}

/** Resolves on the first SIGINT or SIGTERM. */
export function untilSignal(): Promise<NodeJS.Signals> {
  return new Promise((resolve) => {
    const on = (signal: NodeJS.Signals) => {
      process.off('SIGINT', on);
      process.off('SIGTERM', on);
      resolve(signal);
    };
    process.on('SIGINT', on);
    process.on('SIGTERM', on);
  });
}

/** The flags every listening command shares, checked: host (a non-loopback one needs --token-file), port, log level. */
export function listenFlags(values: { host?: string; port?: string; 'log-level'?: string; 'token-file'?: string }): { host: string; port: number; level: LogLevel; tokenFile: string | undefined } {
  const host = values.host ?? '127.0.0.1';
  if (host.length === 0) throw new UsageError('--host: expected a host name or address, actual ""');
  const port = intFlag('port', values.port, 8080, 0, 65535);
  const level = values['log-level'] ?? 'info';
  if (!isLogLevel(level)) throw new UsageError(`--log-level: expected one of ${LOG_LEVELS.join(', ')}, actual "${level}"`);
  const tokenFile = values['token-file'];
  if (tokenFile === undefined && !isLoopbackHost(host)) {
    throw new UsageError(`--host ${host}: expected --token-file when the host is not loopback (127.0.0.1, ::1, localhost), actual none`);
  }
  return { host, port, level, tokenFile };
}

/** `--workers`: 1..64, or `auto` for one per core (at most 64); default 1. */
export function workersFlag(value: string | undefined): number {
  if (value === 'auto') return Math.min(MAX_WORKERS, availableParallelism());
  return intFlag('workers', value, 1, 1, MAX_WORKERS, 'auto');
}

interface ServeSettings {
  readonly host: string;
  readonly port: number;
  readonly token: string | undefined;
  readonly workers: number;
}

/** The primary of `--workers N`: forks the workers, logs `listening` once, and on SIGINT / SIGTERM closes them all. */
async function runPrimary(args: string[], settings: ServeSettings, logger: Logger, io: CliIo): Promise<number> {
  const { host, token, workers } = settings;
  let pool: WorkerPool;
  try {
    pool = await startWorkerPool({ workers, exec: MAIN, args: ['serve', ...args], port: settings.port, logger });
  } catch (error) {
    // the worker printed why it could not start
    if (error instanceof WorkerStartError) return error.exitCode;
    throw error;
  }
  claimSignals('serve');
  const { port } = pool;
  logger.info({ host, port, url: serverUrl(host, port), protocol: PROTOCOL_VERSION, token: token !== undefined, workers, workerPids: pool.pids }, 'listening');
  const outcome = await Promise.race([untilSignal(), pool.exhausted.then(() => 'exhausted' as const)]);
  if (outcome === 'exhausted') {
    await pool.close();
    io.stderr(`recgym serve: every worker exited more than ${RESTART_DEFAULTS.maxRestarts} times within ${RESTART_DEFAULTS.windowMs / 1000} s; stopped (the log says why)\n`);
    return 1;
  }
  logger.info({ signal: outcome }, 'signal received');
  const isClean = await pool.close();
  logger.info({ isClean }, 'server closed');
  return isClean ? 0 : 1;
}

/** Serves until a signal (or, in a worker, the primary's shutdown) and resolves to the exit code. */
async function serve(args: string[], io: CliIo): Promise<number> {
  const { values } = parseFlags(args, FLAGS, false);
  const { host, port, level, tokenFile } = listenFlags(values);
  const workers = workersFlag(values.workers);
  const idleSeconds = intFlag('idle-timeout', values['idle-timeout'], 300, 1, 86_400);
  const rate = (name: 'rate-messages' | 'rate-bytes') => (values[name] === undefined ? undefined : intFlag(name, values[name], 0, 1));
  const rateMessagesPerSec = rate('rate-messages');
  const rateBytesPerSec = rate('rate-bytes');
  const token = tokenFile === undefined ? undefined : readToken(tokenFile);
  const worker = workerSetting();
  // listened for from the start: a shutdown that comes while the worker loads its data closes it once it listens
  const shutdown = worker === undefined ? undefined : untilShutdown();
  const destination = { write: (line: string) => io.stdout(line) };
  if (worker === undefined && workers > 1) return runPrimary(args, { host, port, token, workers }, createLogger(level, destination, { pid: process.pid }), io);
  const { store } = await loadStore(values.data, values.format);
  const logger = createLogger(level, destination, worker === undefined ? {} : { worker: worker.worker, pid: process.pid });
  const server = await startServer({
    host,
    port: worker?.port ?? port,
    token,
    store,
    idleTimeoutMs: idleSeconds * 1000,
    rateMessagesPerSec,
    rateBytesPerSec,
    logger,
    worker: worker?.worker,
    listeningMessage: worker === undefined ? undefined : 'worker listening',
  });
  claimSignals('serve');
  if (shutdown !== undefined) {
    reportListening(server.port);
    const reason = await shutdown;
    logger.info({ reason }, 'worker closing');
    await server.close();
    return 0;
  }
  const signal = await untilSignal();
  logger.info({ signal }, 'signal received');
  await server.close();
  return 0;
}

/** `recgym serve`: the websocket env server. */
export const command: Command = {
  path: ['serve'],
  summary: 'serve every registered env over a websocket (protocol docs: recgym protocol)',
  usage: USAGE,
  async run(args, io) {
    try {
      return await serve(args, io);
    } finally {
      // a worker's channel to its primary would keep it alive after it is done, or failed to start
      leaveCluster();
    }
  },
};
