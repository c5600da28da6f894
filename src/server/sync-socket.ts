import { createRequire } from 'node:module';
import { MessageChannel, receiveMessageOnPort, Worker, type MessagePort } from 'node:worker_threads';
import { ErrorCode, RecGymError } from '../core/errors.js';
import { isServedHere } from './this-thread.js';

/** What the socket thread reports. */
type SocketEvent =
  | { kind: 'open' }
  | { kind: 'frame'; text: string }
  | { kind: 'binary'; bytes: Uint8Array }
  | { kind: 'close'; code: number; reason: string }
  | { kind: 'error'; message: string };

/**
 * The socket thread: a `ws` client that forwards every event to the port and bumps the shared
 * counter the blocked caller waits on. Plain CommonJS so that it runs from the TypeScript sources
 * and from the built package alike; `ws` is loaded from the path the caller resolved.
 */
const SOCKET_THREAD = `
const { workerData } = require('node:worker_threads');
const WebSocket = require(workerData.wsPath);
const { url, port, signal, maxPayload } = workerData;
const counter = new Int32Array(signal);
const report = (event) => { port.postMessage(event); Atomics.add(counter, 0, 1); Atomics.notify(counter, 0); };
const socket = new WebSocket(url, { maxPayload, perMessageDeflate: false });
socket.on('open', () => report({ kind: 'open' }));
socket.on('message', (data, isBinary) => {
  if (!isBinary) return report({ kind: 'frame', text: data.toString('utf8') });
  const bytes = new Uint8Array(data.length);
  bytes.set(data);
  port.postMessage({ kind: 'binary', bytes }, [bytes.buffer]);
  Atomics.add(counter, 0, 1);
  Atomics.notify(counter, 0);
});
socket.on('error', (error) => report({ kind: 'error', message: error.message }));
socket.on('close', (code, reason) => { report({ kind: 'close', code, reason: reason.toString() }); port.close(); });
port.on('message', (message) => {
  if (message.kind === 'send') socket.send(message.text);
  else if (message.kind === 'sendBytes') socket.send(message.bytes, { binary: true });
  else if (message.kind === 'close') socket.close(1000);
});
`;

/** Options of {@link SyncSocket.connect}. */
export interface SyncSocketOptions {
  /** Milliseconds to wait for the connection and for each frame. */
  readonly timeoutMs?: number;
  /** Largest frame accepted from the server, in bytes. */
  readonly maxPayload?: number;
}

/**
 * A websocket with blocking calls, for synchronous callers (the `Env` interface is synchronous):
 * a worker thread owns the socket, the caller sleeps on `Atomics.wait` until a frame arrives.
 */
export class SyncSocket {
  readonly url: string;
  readonly timeoutMs: number;
  readonly #worker: Worker;
  readonly #port: MessagePort;
  readonly #counter: Int32Array;
  #closed: { code: number; reason: string } | undefined;

  private constructor(url: string, timeoutMs: number, maxPayload: number) {
    this.url = url;
    this.timeoutMs = timeoutMs;
    const signal = new SharedArrayBuffer(4);
    this.#counter = new Int32Array(signal);
    const { port1, port2 } = new MessageChannel();
    this.#port = port1;
    const wsPath = createRequire(import.meta.url).resolve('ws');
    this.#worker = new Worker(SOCKET_THREAD, { eval: true, workerData: { url, port: port2, signal, maxPayload, wsPath }, transferList: [port2] });
    this.#worker.unref();
  }

  /** Opens a connection to `url` and waits until it is open; a refused or silent server is CONNECTION. */
  static connect(url: string, options: SyncSocketOptions = {}): SyncSocket {
    const timeoutMs = options.timeoutMs ?? 30_000;
    const maxPayload = options.maxPayload ?? 256 << 20;
    if (!/^wss?:\/\//.test(url)) throw new TypeError(`expected a ws:// or wss:// url, actual ${JSON.stringify(url)}`);
    if (!(timeoutMs > 0)) throw new RangeError(`expected timeoutMs > 0, actual ${timeoutMs}`);
    if (isServedHere(url)) {
      throw new TypeError(`expected a server in another thread or process (a synchronous client blocks this one), actual ${url} served by this thread`);
    }
    const socket = new SyncSocket(url, timeoutMs, maxPayload);
    const event = socket.#next();
    if (event.kind !== 'open') {
      socket.#terminate();
      throw new RecGymError(ErrorCode.CONNECTION, `connect ${url}: expected an open websocket, actual ${describeEvent(event)}`);
    }
    return socket;
  }

  /** True until the connection closed. */
  get isOpen(): boolean {
    return this.#closed === undefined;
  }

  /** Sends one text frame. */
  send(text: string): void {
    this.#assertOpen();
    this.#port.postMessage({ kind: 'send', text });
  }

  /** Sends one binary frame; `bytes` must span its own ArrayBuffer, which moves to the socket thread (unusable here after). */
  sendBytes(bytes: Uint8Array): void {
    this.#assertOpen();
    if (bytes.byteOffset !== 0 || bytes.byteLength !== bytes.buffer.byteLength) throw new TypeError(`expected bytes spanning their own buffer, actual a view of ${bytes.byteLength} of ${bytes.buffer.byteLength} bytes`);
    this.#port.postMessage({ kind: 'sendBytes', bytes }, [bytes.buffer as ArrayBuffer]);
  }

  /**
   * Blocks until the next frame (text, or the bytes of a binary one); a closed connection, an error
   * or the timeout is CONNECTION. After a timeout the socket is closed: a late answer would
   * otherwise be read as the next one's.
   */
  receive(): string | Uint8Array {
    this.#assertOpen();
    let event: SocketEvent;
    try {
      event = this.#next();
    } catch (error) {
      this.#terminate();
      throw error;
    }
    if (event.kind === 'frame') return event.text;
    if (event.kind === 'binary') return event.bytes;
    if (event.kind === 'close') this.#closed = { code: event.code, reason: event.reason };
    else this.#terminate();
    throw new RecGymError(ErrorCode.CONNECTION, `${this.url}: expected a frame, actual ${describeEvent(event)}`);
  }

  /** Closes the connection (waits briefly for the close handshake); safe to call twice. */
  close(): void {
    if (this.#closed !== undefined) return;
    this.#port.postMessage({ kind: 'close' });
    try {
      for (;;) {
        const event = this.#next(Math.min(this.timeoutMs, 2000));
        if (event.kind === 'close' || event.kind === 'error') break;
      }
    } catch {
      // no close handshake in time: the thread is ended below all the same
    }
    this.#terminate();
  }

  #assertOpen(): void {
    if (this.#closed !== undefined) {
      throw new RecGymError(ErrorCode.CONNECTION, `${this.url}: expected an open connection, actual closed (${this.#closed.code} ${this.#closed.reason})`);
    }
  }

  #terminate(): void {
    this.#closed ??= { code: 1006, reason: 'closed by the client' };
    this.#port.close();
    void this.#worker.terminate();
  }

  /** The socket thread's next event, waiting at most `timeoutMs`. */
  #next(timeoutMs = this.timeoutMs): SocketEvent {
    const deadline = performance.now() + timeoutMs;
    for (;;) {
      const seen = Atomics.load(this.#counter, 0);
      const received = receiveMessageOnPort(this.#port);
      if (received !== undefined) return received.message as SocketEvent;
      const left = deadline - performance.now();
      if (left <= 0) throw new RecGymError(ErrorCode.CONNECTION, `${this.url}: expected an answer within ${timeoutMs} ms, actual none`);
      Atomics.wait(this.#counter, 0, seen, left);
    }
  }
}

function describeEvent(event: SocketEvent): string {
  switch (event.kind) {
    case 'open':
      return 'a second open';
    case 'frame':
    case 'binary':
      return 'a frame';
    case 'close':
      return `the connection closed (${event.code}${event.reason ? ` ${event.reason}` : ''})`;
    case 'error':
      return `an error (${event.message})`;
  }
}
