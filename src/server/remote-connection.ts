import { ErrorCode, RecGymError } from '../core/errors.js';
import { z } from 'zod';
import { decodeBinaryFrame } from './binary-frame.js';
import { encodeBinaryRequest, isInt32List } from './binary-request.js';
import { BINARY_BATCHES, BINARY_REQUESTS, PROTOCOL_VERSION, ServerMessageSchema, type ClientMessageInput, type Issue, type ServerMessage } from './protocol.js';
import { SyncSocket } from './sync-socket.js';

/** A request as the caller writes it; the connection adds the id. A stepVector's actions may be an Int32Array. */
export type Request =
  | (ClientMessageInput extends infer M ? (M extends { id: unknown } ? Omit<M, 'id'> : never) : never)
  | { readonly type: 'stepVector'; readonly handle: number; readonly actions: Int32Array };

/** A response of a given type. */
export type Response<T extends ServerMessage['type']> = Extract<ServerMessage, { type: T }>;

/** An error frame the server answered, as a RecGymError with the frame's code and zod issues. */
export class RemoteError extends RecGymError {
  readonly issues: readonly Issue[];
  /** RATE_LIMITED: milliseconds after which the server would admit the request. */
  readonly retryAfterMs: number | undefined;

  constructor(code: string, message: string, issues: readonly Issue[] = [], retryAfterMs?: number) {
    super(code as ErrorCode, message);
    this.name = 'RemoteError';
    this.issues = issues;
    this.retryAfterMs = retryAfterMs;
  }
}

/** Options of {@link RemoteConnection.open}. */
export interface RemoteConnectionOptions {
  /** The server's token (when it asks for one). */
  readonly token?: string;
  /** Milliseconds to wait for the connection and for each response (default 30000). */
  readonly timeoutMs?: number;
  /**
   * What the client announces in `hello` (default `['binary-batches', 'binary-requests']`: vector
   * results as binary frames, step / stepVector sent as binary frames; `[]` keeps both in JSON).
   */
  readonly capabilities?: readonly string[];
}

/** What a binary frame's message must hold besides its typed arrays (their sizes are the vector env's to check). */
const BinaryResultSchema = z.looseObject({
  type: z.enum(['vectorResetResult', 'vectorStepResult']),
  id: z.number(),
  handle: z.number().int().min(1),
  info: z.record(z.string(), z.union([z.json(), z.custom<ArrayBufferView>((value) => ArrayBuffer.isView(value))])),
});

/** A step or stepVector as a binary request when its actions are int32s, else undefined (it goes as JSON). */
function binaryRequestOf(message: Request, id: number): Uint8Array | undefined {
  if (message.type === 'stepVector') {
    return isInt32List(message.actions) ? encodeBinaryRequest({ type: 'stepVector', id, handle: message.handle, actions: message.actions }) : undefined;
  }
  if (message.type !== 'step') return undefined;
  const { action } = message;
  const actions = typeof action === 'number' ? [action] : Array.isArray(action) || action instanceof Int32Array ? (action as ArrayLike<unknown>) : undefined;
  if (actions === undefined || !isInt32List(actions)) return undefined;
  return encodeBinaryRequest({ type: 'step', id, handle: message.handle, actions: actions as ArrayLike<number> });
}

/** A request's JSON text with its id (typed arrays as arrays). */
function jsonOf(message: Request, id: number): string {
  if (message.type === 'stepVector' && message.actions instanceof Int32Array) return JSON.stringify({ ...message, actions: Array.from(message.actions), id });
  return JSON.stringify({ ...message, id });
}

/**
 * A synchronous protocol client: `hello` at open, then requests answered one by one in order
 * (`request`) or sent together and read back in order (`pipeline`). An error frame throws a
 * {@link RemoteError} with its code; a broken connection or an answer off the protocol is CONNECTION.
 */
export class RemoteConnection {
  readonly socket: SyncSocket;
  readonly welcome: Response<'welcome'>;
  /** Both sides announced `binary-requests`: step and stepVector go as binary frames. */
  readonly isBinaryRequests: boolean;
  #nextId = 1;

  private constructor(socket: SyncSocket, options: RemoteConnectionOptions) {
    this.socket = socket;
    const capabilities = [...(options.capabilities ?? [BINARY_BATCHES, BINARY_REQUESTS])];
    this.welcome = this.request({ type: 'hello', protocol: PROTOCOL_VERSION, token: options.token, capabilities }, 'welcome');
    this.isBinaryRequests = capabilities.includes(BINARY_REQUESTS) && this.welcome.capabilities.includes(BINARY_REQUESTS);
  }

  /** Connects to `url` (`ws://host:port`) and says hello; a refused hello closes the socket and throws. */
  static open(url: string, options: RemoteConnectionOptions = {}): RemoteConnection {
    const socket = SyncSocket.connect(url, { timeoutMs: options.timeoutMs });
    try {
      return new RemoteConnection(socket, options);
    } catch (error) {
      socket.close();
      throw error;
    }
  }

  get isOpen(): boolean {
    return this.socket.isOpen;
  }

  /** Sends one request and returns its response, which must be of type `expected`. */
  request<T extends ServerMessage['type']>(message: Request, expected: T): Response<T> {
    const [response] = this.pipeline([message]);
    return expectType(response, expected);
  }

  /**
   * Sends every request before reading any response, then reads one response per request, in
   * order. Error frames come back as they are (type `error`), not thrown.
   */
  pipeline(messages: readonly Request[]): ServerMessage[] {
    const ids: number[] = [];
    for (const message of messages) {
      const id = this.#nextId++;
      ids.push(id);
      const binary = this.isBinaryRequests ? binaryRequestOf(message, id) : undefined;
      if (binary === undefined) this.socket.send(jsonOf(message, id));
      else this.socket.sendBytes(binary);
    }
    return ids.map((id) => this.#receive(id));
  }

  /** Closes the connection (the server closes its envs); safe to call twice. */
  close(): void {
    this.socket.close();
  }

  #receive(id: number): ServerMessage {
    const text = this.socket.receive();
    if (typeof text !== 'string') return this.#binaryResult(text, id);
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch {
      throw this.#offProtocol(`expected a JSON frame, actual ${JSON.stringify(text.slice(0, 80))}`);
    }
    const parsed = ServerMessageSchema.safeParse(value);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw this.#offProtocol(`expected a protocol message, actual ${issue.path.join('.') || 'frame'}: ${issue.message}`);
    }
    const response = parsed.data;
    if (response.id !== id && !(response.type === 'error' && response.id === null)) {
      throw this.#offProtocol(`expected the response to request ${id}, actual one to ${JSON.stringify(response.id)}`);
    }
    return response;
  }

  /** A vector result from a binary frame; its arrays stay typed arrays where the JSON form has number arrays. */
  #binaryResult(bytes: Uint8Array, id: number): ServerMessage {
    // the bytes came from the socket thread for this answer alone: its arrays may view them
    const decoded = decodeBinaryFrame(bytes, { copy: false });
    if (!decoded.ok) throw this.#offProtocol(`expected a binary frame of a vector result, actual bytes that are not one (${decoded.reason})`);
    const parsed = BinaryResultSchema.safeParse(decoded.message);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw this.#offProtocol(`expected a binary frame of a vector result, actual ${issue.path.join('.') || 'message'}: ${issue.message}`);
    }
    if (parsed.data.id !== id) throw this.#offProtocol(`expected the response to request ${id}, actual one to ${JSON.stringify(parsed.data.id)}`);
    return decoded.message as unknown as ServerMessage;
  }

  #offProtocol(message: string): RecGymError {
    this.socket.close();
    return new RecGymError(ErrorCode.CONNECTION, `${this.socket.url}: ${message}`);
  }
}

/** `response` as type `expected`; an error frame throws its {@link RemoteError}. */
export function expectType<T extends ServerMessage['type']>(response: ServerMessage, expected: T): Response<T> {
  if (response.type === 'error') throw new RemoteError(response.code, response.message, response.issues, response.retryAfterMs);
  if (response.type !== expected) throw new RecGymError(ErrorCode.CONNECTION, `expected a ${expected} response, actual ${response.type}`);
  return response as Response<T>;
}
