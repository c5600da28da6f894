import { createServer as createHttpServer, type Server as HttpServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from 'pino';
import { WebSocketServer, type WebSocket } from 'ws';
import { ErrorCode, RecGymError } from '../core/errors.js';
import type { EventStore } from '../data/event-store.js';
import { createLogger } from './logger.js';
import { errorFrame, requestIdOf } from './parse-frame.js';
import { RateLimiter, type RateLimits } from './rate-limit.js';
import { PROTOCOL_VERSION } from './protocol.js';
import { answerData, type BinaryAnswer, type PolicyHost, Session, type SessionOptions } from './session.js';
import { markServedHere } from './this-thread.js';
import { TurnWrites } from './turn-writes.js';

/** Options of {@link startServer}. */
export interface ServerOptions {
  /** Interface to bind; a host that is not loopback needs a `token`. */
  readonly host?: string;
  /** TCP port; 0 picks a free one. */
  readonly port?: number;
  /** The token every `hello` must carry. */
  readonly token?: string;
  /** The data every env replays (default: the embedded default data). */
  readonly store?: EventStore;
  /** Frames above this many bytes get a FRAME_TOO_LARGE error frame. */
  readonly maxMessageBytes?: number;
  /** Frames above this many bytes close the connection with 1009 (ws's `maxPayload`). */
  readonly maxPayload?: number;
  /** Open envs per connection. */
  readonly maxEnvs?: number;
  /** Slots of one vector env. */
  readonly maxVectorEnvs?: number;
  /** Numbers in one step's observations over a connection's open envs (all slots); an env that would exceed it is BAD_OPTION. */
  readonly maxObservationNumbers?: number;
  /** Connections at once; more are refused with HTTP 503. */
  readonly maxConnections?: number;
  /** An env without a request for this long is closed. */
  readonly idleTimeoutMs?: number;
  /** Bytes queued for a connection above which the server stops reading its requests. */
  readonly highWaterBytes?: number;
  /** A connection without a successful hello this long after opening is closed (1008). */
  readonly helloTimeoutMs?: number;
  /** Interval of the server's pings; a connection that answered none since the last one is cut. */
  readonly heartbeatMs?: number;
  /** Requests per second per connection (a token bucket with a second's burst); more are answered RATE_LIMITED. Default: no limit. */
  readonly rateMessagesPerSec?: number;
  /** Request bytes per second per connection, likewise. Default: no limit. */
  readonly rateBytesPerSec?: number;
  /** Milliseconds of a monotonic clock for idle timeouts and rate limits (default `performance.now`). */
  readonly now?: () => number;
  /** Where JSON-line logs go (default: pino on stdout at info). */
  readonly logger?: Logger;
  /** Answers plain HTTP requests (default: 426, a websocket upgrade expected); the arena serves its pages through it. */
  readonly httpHandler?: (request: IncomingMessage, response: ServerResponse) => void;
  /** The arena that takes external policies over the protocol (1.2's `registerPolicy`). */
  readonly policyHost?: PolicyHost;
  /** Hears every websocket frame received (the arena's messages/s). */
  readonly onFrame?: () => void;
  /** The worker slot of a `recgym serve --workers N` process (1..N), sent in `welcome.server`; 0 (default) a single-process server. */
  readonly worker?: number;
  /** The message of the log line that says the server listens (default `listening`; a worker's is `worker listening`, its primary says `listening` once). */
  readonly listeningMessage?: string;
}

/** A running server. */
export interface RecGymServer {
  readonly host: string;
  readonly port: number;
  /** `ws://host:port`. */
  readonly url: string;
  /** The underlying HTTP server (its sockets: the arena's health). */
  readonly http: HttpServer;
  /** Open connections. */
  readonly connections: number;
  /** Closes every env and connection, then stops listening; safe to call twice. */
  close(): Promise<void>;
}

/** Defaults of {@link ServerOptions}. */
export const SERVER_DEFAULTS = {
  host: '127.0.0.1',
  port: 8080,
  maxMessageBytes: 1 << 20,
  maxPayload: 4 << 20,
  maxEnvs: 256,
  maxVectorEnvs: 4096,
  maxObservationNumbers: 1 << 22,
  maxConnections: 1024,
  idleTimeoutMs: 300_000,
  highWaterBytes: 4 << 20,
  helloTimeoutMs: 10_000,
  heartbeatMs: 30_000,
} as const;

/** A rate-limited frame's id is read from frames up to this size (a refused flood of large frames is not parsed). */
const RATE_LIMITED_ID_BYTES = 16 << 10;

/** Milliseconds a connection gets to finish its close handshake at shutdown before it is cut. */
const CLOSE_GRACE_MS = 2000;

/** True for hosts that only this machine can reach. */
export function isLoopbackHost(host: string): boolean {
  return host === 'localhost' || host === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host);
}

/** `ws://host:port`, an IPv6 host in brackets. */
export function serverUrl(host: string, port: number): string {
  return `ws://${host.includes(':') ? `[${host}]` : host}:${port}`;
}

function positiveInteger(name: string, value: number, min = 1): number {
  if (!Number.isSafeInteger(value) || value < min) throw new RangeError(`startServer: expected ${name} to be an integer >= ${min}, actual ${value}`);
  return value;
}

function resolveOptions(options: ServerOptions) {
  const o = { ...SERVER_DEFAULTS, ...Object.fromEntries(Object.entries(options).filter(([, v]) => v !== undefined)) } as typeof SERVER_DEFAULTS & ServerOptions;
  positiveInteger('port', o.port, 0);
  if (o.port > 65535) throw new RangeError(`startServer: expected port <= 65535, actual ${o.port}`);
  if (o.worker !== undefined) positiveInteger('worker', o.worker, 0);
  for (const name of ['maxMessageBytes', 'maxPayload', 'maxEnvs', 'maxVectorEnvs', 'maxObservationNumbers', 'maxConnections', 'idleTimeoutMs', 'highWaterBytes', 'helloTimeoutMs', 'heartbeatMs'] as const) positiveInteger(name, o[name]);
  for (const name of ['rateMessagesPerSec', 'rateBytesPerSec'] as const) {
    const rate = o[name];
    if (rate !== undefined && !(Number.isFinite(rate) && rate > 0)) throw new RangeError(`startServer: expected ${name} > 0, actual ${rate}`);
  }
  if (o.maxPayload < o.maxMessageBytes) throw new RangeError(`startServer: expected maxPayload >= maxMessageBytes (${o.maxMessageBytes}), actual ${o.maxPayload}`);
  if (o.token !== undefined && o.token.length === 0) throw new TypeError('startServer: expected a non-empty token, actual ""');
  if (!isLoopbackHost(o.host) && o.token === undefined) {
    throw new TypeError(`startServer: expected a token when the host is not loopback, actual host ${o.host} without one`);
  }
  return o;
}

function describeLimits(limits: RateLimits): string {
  const parts = [];
  if (limits.messagesPerSec !== undefined) parts.push(`${limits.messagesPerSec} requests`);
  if (limits.bytesPerSec !== undefined) parts.push(`${limits.bytesPerSec} bytes`);
  return `${parts.join(' and ')} per second`;
}

/** Listens on `host:port`; a port in use or an address not on this machine is LISTEN_FAILED. */
function listen(server: ReturnType<typeof createHttpServer>, host: string, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const onError = (error: NodeJS.ErrnoException) => {
      const reason = error.code === 'EADDRINUSE' ? 'the port is in use' : error.code === 'EADDRNOTAVAIL' ? 'not an address of this machine' : error.message;
      reject(new RecGymError(ErrorCode.LISTEN_FAILED, `listen ${host}:${port}: expected a free port on a local address, actual ${reason}`, { cause: error }));
    };
    server.once('error', onError);
    server.listen(port, host, () => {
      server.off('error', onError);
      resolve();
    });
  });
}

function refuseHttp(_request: IncomingMessage, response: ServerResponse): void {
  response.writeHead(426, { 'content-type': 'application/json', upgrade: 'websocket' });
  response.end(`${JSON.stringify({ message: 'expected a websocket upgrade (recgym protocol)', protocol: PROTOCOL_VERSION })}\n`);
}

/**
 * Starts the env server: `ws` on an HTTP server; one {@link Session} per connection answering its
 * requests in order; envs idle past `idleTimeoutMs` closed; reading paused while a connection's
 * outgoing bytes exceed `highWaterBytes`; connections without a hello, or dead (no pong), closed.
 *
 * @param {string} [options.host='127.0.0.1'] a non-loopback host needs `options.token`
 * @param {number} [options.port=8080] 0 picks a free port
 * @param {number} [options.maxMessageBytes=1 MiB] larger frames get FRAME_TOO_LARGE
 * @param {number} [options.maxPayload=4 MiB] larger frames close the connection with 1009
 * @param {number} [options.maxEnvs=256] open envs per connection; [options.maxVectorEnvs=4096] slots per vector env
 * @param {number} [options.maxObservationNumbers=4194304] numbers in one step's observations over a connection's open envs
 * @param {number} [options.maxConnections=1024] connections at once
 * @param {number} [options.idleTimeoutMs=300000] idle envs are closed after this
 * @param {number} [options.highWaterBytes=4 MiB] backpressure threshold per connection
 * @param {number} [options.helloTimeoutMs=10000] connections without a hello by then are closed
 * @param {number} [options.heartbeatMs=30000] ping interval; a connection silent for a whole interval is cut
 * @param {number} [options.rateMessagesPerSec] requests per second per connection (no limit by default); [options.rateBytesPerSec] bytes likewise
 */
export async function startServer(options: ServerOptions = {}): Promise<RecGymServer> {
  const o = resolveOptions(options);
  const logger = o.logger ?? createLogger('info', process.stdout);
  const now = o.now ?? (() => performance.now());
  const sessionOptions: Omit<SessionOptions, 'logger'> = {
    token: o.token,
    store: o.store,
    maxEnvs: o.maxEnvs,
    maxVectorEnvs: o.maxVectorEnvs,
    maxObservationNumbers: o.maxObservationNumbers,
    idleTimeoutMs: o.idleTimeoutMs,
    now,
    policyHost: o.policyHost,
    worker: o.worker,
  };
  const limits: RateLimits = { messagesPerSec: o.rateMessagesPerSec, bytesPerSec: o.rateBytesPerSec };
  const http = createHttpServer(o.httpHandler ?? refuseHttp);
  // UTF-8 is checked per frame by the session (BAD_FRAME, the connection stays usable), not by ws (which would close it with 1007).
  const wss = new WebSocketServer({ noServer: true, maxPayload: o.maxPayload, perMessageDeflate: false, skipUTF8Validation: true });
  const sessions = new Map<WebSocket, Session>();
  /** Connections that showed a sign of life (a frame or a pong) since the last ping. */
  const isAlive = new WeakMap<WebSocket, boolean>();
  // The answers to the requests of one read leave in one write (pipelined requests: one syscall, not one each).
  const turnWrites = new TurnWrites();
  let nextConnectionId = 1;
  let closing: Promise<void> | undefined;

  http.on('upgrade', (request, socket, head) => {
    if (closing !== undefined || sessions.size >= o.maxConnections) {
      logger.warn({ connections: sessions.size, remote: request.socket.remoteAddress }, 'connection refused: server full or closing');
      socket.end('HTTP/1.1 503 Service Unavailable\r\nConnection: close\r\n\r\n');
      return;
    }
    wss.handleUpgrade(request, socket, head, (ws) => serveConnection(ws, request));
  });

  function serveConnection(ws: WebSocket, request: IncomingMessage): void {
    const log = logger.child({ connectionId: nextConnectionId++ });
    const session = new Session({ ...sessionOptions, logger: log, push: (message) => ws.send(answerData(message)) });
    sessions.set(ws, session);
    log.info({ remote: request.socket.remoteAddress }, 'connection open');
    isAlive.set(ws, true);
    ws.on('pong', () => isAlive.set(ws, true));
    const helloTimer = setTimeout(() => {
      if (session.isGreeted) return;
      log.info({ helloTimeoutMs: o.helloTimeoutMs }, 'connection closed: no hello');
      ws.close(1008, `expected a hello within ${o.helloTimeoutMs} ms`);
    }, o.helloTimeoutMs);
    const queue: Array<{ data: Buffer; isBinary: boolean }> = [];
    const limiter = RateLimiter.isLimited(limits) ? new RateLimiter(limits, now()) : undefined;
    /** The answer to a frame within the limits: the session's, or RATE_LIMITED without running it. */
    const answerWithin = (data: Buffer, isBinary: boolean) => {
      const waitMs = limiter === undefined ? 0 : limiter.admit(data.length, now());
      if (waitMs === 0) return session.answerFrame(data, isBinary);
      // a microsecond of slack: 199 ms of refill at 5 per second is 0.995 tokens in floating point, not less
      const retryAfterMs = Math.ceil(waitMs - 1e-3);
      log.debug({ retryAfterMs, bytes: data.length }, 'rate limited');
      return {
        ...errorFrame(data.length <= RATE_LIMITED_ID_BYTES ? requestIdOf(data, isBinary) : null, ErrorCode.RATE_LIMITED, `expected at most ${describeLimits(limits)} on this connection, actual more: retry after ${retryAfterMs} ms`),
        retryAfterMs,
      };
    };
    let head = 0;
    let isWaitingForDrain = false;
    const socket = request.socket;
    /** The last binary answer written while corked: its frame's memory is reused once the socket wrote it out. */
    let lastBinary: BinaryAnswer | undefined;
    const afterFlush = () => {
      if (lastBinary !== undefined && ws.bufferedAmount === 0) session.recycleFrame(lastBinary);
      lastBinary = undefined;
    };

    const onSent = (error?: Error) => {
      if (error) return;
      if (isWaitingForDrain && ws.bufferedAmount <= o.highWaterBytes / 2) {
        isWaitingForDrain = false;
        ws.resume();
        pump();
      }
    };
    const pump = () => {
      while (head < queue.length) {
        if (ws.readyState !== ws.OPEN) break;
        if (ws.bufferedAmount > o.highWaterBytes) {
          if (!isWaitingForDrain) log.debug({ bufferedAmount: ws.bufferedAmount, queued: queue.length - head }, 'backpressure: reading paused');
          isWaitingForDrain = true;
          ws.pause();
          return;
        }
        const { data, isBinary } = queue[head++];
        const response =
          data.length > o.maxMessageBytes
            ? errorFrame(null, ErrorCode.FRAME_TOO_LARGE, `expected a frame of at most ${o.maxMessageBytes} bytes, actual ${data.length}`)
            : answerWithin(data, isBinary);
        turnWrites.hold(socket, afterFlush);
        ws.send(answerData(response), onSent);
        if (response.type === 'binary') lastBinary = response;
      }
      queue.length = 0;
      head = 0;
    };

    ws.on('message', (data: Buffer, isBinary: boolean) => {
      isAlive.set(ws, true);
      o.onFrame?.();
      queue.push({ data, isBinary });
      if (!isWaitingForDrain) pump();
    });
    ws.on('error', (error) => log.warn({ err: error }, 'connection error'));
    ws.on('close', (code, reason) => {
      clearTimeout(helloTimer);
      session.close();
      sessions.delete(ws);
      queue.length = 0;
      log.info({ code, reason: reason.toString() }, 'connection closed');
    });
  }

  const sweepMs = Math.max(10, Math.min(30_000, Math.floor(o.idleTimeoutMs / 4)));
  const sweeper = setInterval(() => {
    const nowMs = now();
    for (const session of sessions.values()) session.closeIdle(nowMs);
  }, sweepMs);
  sweeper.unref();
  const heartbeat = setInterval(() => {
    for (const ws of sessions.keys()) {
      if (isAlive.get(ws) === false) {
        logger.info({ heartbeatMs: o.heartbeatMs }, 'connection cut: no pong');
        ws.terminate();
        continue;
      }
      isAlive.set(ws, false);
      ws.ping();
    }
  }, o.heartbeatMs);
  heartbeat.unref();

  await listen(http, o.host, o.port).catch((error) => {
    clearInterval(sweeper);
    clearInterval(heartbeat);
    throw error;
  });
  const { port } = http.address() as AddressInfo;
  const unmark = markServedHere(port);
  const url = serverUrl(o.host, port);
  logger.info({ host: o.host, port, url, protocol: PROTOCOL_VERSION, token: o.token !== undefined }, o.listeningMessage ?? 'listening');

  async function shutDown(): Promise<void> {
    clearInterval(sweeper);
    clearInterval(heartbeat);
    unmark();
    logger.info({ connections: sessions.size }, 'shutting down');
    const closed = [...sessions.keys()].map(
      (ws) =>
        new Promise<void>((resolve) => {
          if (ws.readyState === ws.CLOSED) return resolve();
          const timer = setTimeout(() => ws.terminate(), CLOSE_GRACE_MS);
          ws.once('close', () => {
            clearTimeout(timer);
            resolve();
          });
          sessions.get(ws)?.close();
          ws.close(1001, 'server shutting down');
        }),
    );
    await Promise.all(closed);
    wss.close();
    await new Promise<void>((resolve) => {
      http.close(() => resolve());
      http.closeAllConnections();
    });
    logger.info('server closed');
  }

  return {
    host: o.host,
    port,
    url,
    http,
    get connections() {
      return sessions.size;
    },
    close() {
      closing ??= shutDown();
      return closing;
    },
  };
}
