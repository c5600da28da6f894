import { WebSocket } from 'ws';
import { decodeBinaryFrame } from '../../src/server/binary-frame.js';
import { createLogger } from '../../src/server/logger.js';
import { PROTOCOL_VERSION, type ServerMessage } from '../../src/server/protocol.js';
import { startServer, type RecGymServer, type ServerOptions } from '../../src/server/server.js';

/** A logger writing into `lines` (one parsed JSON object per log line). */
export function logSink(level: 'debug' | 'info' = 'debug') {
  const lines: Array<Record<string, unknown>> = [];
  const logger = createLogger(level, { write: (line: string) => void lines.push(JSON.parse(line)) });
  return { lines, logger };
}

/** A server on a free loopback port logging into a sink. */
export async function testServer(options: ServerOptions = {}): Promise<{ server: RecGymServer; lines: Array<Record<string, unknown>> }> {
  const { lines, logger } = logSink();
  const server = await startServer({ port: 0, logger, ...options });
  return { server, lines };
}

/** A raw ws client: frames come back in order through `next()`. */
export interface TestClient {
  readonly ws: WebSocket;
  /** The messages that came as binary frames (decoded: their arrays are typed arrays). */
  readonly binary: WeakSet<object>;
  send(frame: unknown): void;
  next(timeoutMs?: number): Promise<ServerMessage>;
  request(frame: Record<string, unknown>): Promise<ServerMessage>;
  readonly closed: Promise<{ code: number; reason: string }>;
  close(): Promise<void>;
}

export async function openClient(url: string): Promise<TestClient> {
  const ws = new WebSocket(url);
  const frames: ServerMessage[] = [];
  const waiting: Array<(message: ServerMessage) => void> = [];
  const binary = new WeakSet<object>();
  ws.on('message', (data: Buffer, isBinary: boolean) => {
    let message: ServerMessage;
    if (isBinary) {
      const decoded = decodeBinaryFrame(data);
      if (!decoded.ok) throw new Error(`expected a binary frame of the protocol, actual one whose ${decoded.reason}`);
      message = decoded.message as unknown as ServerMessage;
      binary.add(message);
    } else message = JSON.parse(data.toString()) as ServerMessage;
    const resolve = waiting.shift();
    if (resolve) resolve(message);
    else frames.push(message);
  });
  const closed = new Promise<{ code: number; reason: string }>((resolve) => ws.on('close', (code, reason) => resolve({ code, reason: reason.toString() })));
  ws.on('error', () => {});
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('error', reject);
  });
  let nextId = 1;
  const client: TestClient = {
    ws,
    binary,
    closed,
    send(frame) {
      ws.send(typeof frame === 'string' || ArrayBuffer.isView(frame) ? frame : JSON.stringify(frame));
    },
    next(timeoutMs = 5000) {
      const ready = frames.shift();
      if (ready) return Promise.resolve(ready);
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no frame within ${timeoutMs} ms`)), timeoutMs);
        waiting.push((message) => {
          clearTimeout(timer);
          resolve(message);
        });
      });
    },
    request(frame) {
      client.send({ id: nextId++, ...frame });
      return client.next();
    },
    async close() {
      ws.close();
      await closed;
    },
  };
  return client;
}

/** A client that has said hello. */
export async function greetedClient(url: string, token?: string): Promise<TestClient> {
  const client = await openClient(url);
  const welcome = await client.request({ type: 'hello', protocol: PROTOCOL_VERSION, token });
  if (welcome.type !== 'welcome') throw new Error(`expected welcome, actual ${JSON.stringify(welcome)}`);
  return client;
}
