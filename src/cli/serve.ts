import { claimSignals } from './signal-owner.js';
import { readFileSync } from 'node:fs';
import { ErrorCode, RecGymError } from '../core/errors.js';
import { FORMAT_NAMES } from '../data/detect-format.js';
import { createLogger, isLogLevel, LOG_LEVELS, type LogLevel } from '../server/logger.js';
import { PROTOCOL_VERSION } from '../server/protocol.js';
import { isLoopbackHost, startServer } from '../server/server.js';
import { intFlag, parseFlags, UsageError, type Command } from './command.js';
import { loadStore } from './load-store.js';

const USAGE = `usage: recgym serve [--host 127.0.0.1] [--port 8080] [--token-file F] [--data FILE] [--format F]
                    [--idle-timeout SECONDS] [--rate-messages N] [--rate-bytes N] [--log-level L]

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

/** `recgym serve`: the websocket env server. */
export const command: Command = {
  path: ['serve'],
  summary: 'serve every registered env over a websocket (protocol docs: recgym protocol)',
  usage: USAGE,
  async run(args, io) {
    const { values } = parseFlags(args, FLAGS, false);
    const { host, port, level, tokenFile } = listenFlags(values);
    const idleSeconds = intFlag('idle-timeout', values['idle-timeout'], 300, 1, 86_400);
    const rate = (name: 'rate-messages' | 'rate-bytes') => (values[name] === undefined ? undefined : intFlag(name, values[name], 0, 1));
    const rateMessagesPerSec = rate('rate-messages');
    const rateBytesPerSec = rate('rate-bytes');
    const token = tokenFile === undefined ? undefined : readToken(tokenFile);
    const { store } = await loadStore(values.data, values.format);
    const logger = createLogger(level, { write: (line: string) => io.stdout(line) });
    const server = await startServer({ host, port, token, store, idleTimeoutMs: idleSeconds * 1000, rateMessagesPerSec, rateBytesPerSec, logger });
    claimSignals('serve');
    const signal = await untilSignal();
    logger.info({ signal }, 'signal received');
    await server.close();
    return 0;
  },
};
