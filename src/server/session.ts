import { timingSafeEqual } from 'node:crypto';
import type { Logger } from 'pino';
import { ErrorCode, isRecGymError } from '../core/errors.js';
import type { EventStore } from '../data/event-store.js';
import type { AnyEnv, AnyVectorEnv } from '../env/env.js';
import { listEnvs, makeEnv, makeVectorEnv, type MakeEnvOptions } from '../env/registry.js';
import { describeSpace } from '../env/spaces/describe.js';
import type { Space } from '../env/spaces/space.js';
import { Discrete } from '../env/spaces/discrete.js';
import { encodeBinaryFrame, IS_LITTLE_ENDIAN } from './binary-frame.js';
import { decodeBinaryRequest } from './binary-request.js';
import { jsonText, toJson, valueText } from './json-text.js';
import { errorFrame, parseClientFrame } from './parse-frame.js';
import { BINARY_BATCHES, BINARY_REQUESTS, compareProtocol, PROTOCOL_VERSION, SERVER_CAPABILITIES, type ClientMessage, type ServerMessage } from './protocol.js';
import { decodeValue, encodeBatch, encodeValue, numbersPerValue, typedBatch, type Decoded } from './wire.js';

/** What every connection's session shares (the server's settings). */
export interface SessionOptions {
  /** The token `hello` must carry; undefined means none is asked. */
  readonly token: string | undefined;
  /** The data every env replays; undefined means the embedded default data. */
  readonly store: EventStore | undefined;
  /** Open envs per connection. */
  readonly maxEnvs: number;
  /** Slots of one vector env. */
  readonly maxVectorEnvs: number;
  /** Numbers in one step's observations over a connection's open envs (all slots): bounds the memory and the frames its envs' options may ask for. */
  readonly maxObservationNumbers: number;
  /** An env unused for longer is closed; its handle then answers ENV_CLOSED. */
  readonly idleTimeoutMs: number;
  /** Milliseconds of a monotonic clock. */
  readonly now: () => number;
  readonly logger: Logger;
  /** The arena that takes external policies (`registerPolicy`, protocol 1.2); none: refused. */
  readonly policyHost?: PolicyHost;
  /** Sends a message the server initiates (a `recommend`) on this connection. */
  readonly push?: (message: ServerMessage) => void;
  /** The worker slot sent in `welcome.server` (1..N under `--workers N`; default 0, a single-process server). */
  readonly worker?: number;
}

/** A connection registered as a policy: its answers go to {@link PolicyLink.answer}; the connection's end calls `close`. */
export interface PolicyLink {
  readonly deadlineMs: number;
  readonly slateSize: number;
  /** Takes the recommendation of request `requestId`: `late` after its deadline, `unknown` for a request this policy was not sent (or that expired). */
  answer(requestId: string, items: readonly number[]): 'accepted' | 'late' | 'unknown';
  close(): void;
}

/** Where a connection registers as a policy (the arena). */
export interface PolicyHost {
  /** Adds the policy `name` that ranks by sending `recommend` through `push`; throws POLICY_REFUSED (a RecGymError) for a taken name. */
  register(name: string, push: (message: ServerMessage) => void, logger: Logger): PolicyLink;
}

type Entry =
  | { readonly kind: 'single'; readonly envId: string; readonly env: AnyEnv; readonly numbers: number; lastUsedMs: number }
  | { readonly kind: 'vector'; readonly envId: string; readonly env: AnyVectorEnv; readonly numbers: number; lastUsedMs: number };

type RequestOf<T extends ClientMessage['type']> = Extract<ClientMessage, { type: T }>;

/** Closed handles whose reason is remembered for ENV_CLOSED messages (older ones get a general message). */
const REMEMBERED_CLOSED = 1024;

/** A response sent as a binary frame (a vector result to a client that asked for `binary-batches`). */
export interface BinaryAnswer {
  readonly type: 'binary';
  /** The response's type and request id, for logs and tests. */
  readonly of: 'vectorResetResult' | 'vectorStepResult';
  readonly id: ServerMessage['id'];
  readonly frame: Buffer;
}

/** A response already written as JSON text (a `stepResult`, on the hot path). */
export interface TextAnswer {
  readonly type: 'text';
  /** The response's type and request id, for logs and tests. */
  readonly of: 'stepResult';
  readonly id: ServerMessage['id'];
  readonly text: string;
}

/** What a session answers a frame with: a message sent as JSON text, a binary frame, or text already written. */
export type Answer = ServerMessage | BinaryAnswer | TextAnswer;

/** The frame that carries `answer` over the websocket. */
export function answerData(answer: Answer): string | Buffer {
  if (answer.type === 'binary') return answer.frame;
  return answer.type === 'text' ? answer.text : JSON.stringify(answer);
}

/** A fault answered by an error frame. */
class RequestError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

function infoJson(info: unknown): Record<string, never> {
  return toJson(info ?? {}) as Record<string, never>;
}

/** `info` for a binary frame: its typed arrays of a frame's dtypes kept as they are (they travel as raw bytes), the rest as JSON. */
function infoTyped(info: unknown): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(info ?? {})) {
    if (isFrameArray(value)) out[key] = value;
    else if (value !== undefined && typeof value !== 'function') out[key] = toJson(value);
  }
  return out;
}

function isFrameArray(value: unknown): boolean {
  return value instanceof Int32Array || value instanceof Float64Array || value instanceof Float32Array || value instanceof Uint8Array || value instanceof Int8Array;
}

/** A binary step's int32 actions as a member of `space`: the one number of a Discrete action, else the space's array. */
function binaryAction(space: Space<unknown>, actions: Int32Array): Decoded<unknown> {
  if (!(space instanceof Discrete)) return decodeValue(space, actions, 'step.action');
  if (actions.length !== 1) return { ok: false, reason: `step.action: expected 1 int32 for a Discrete action, actual ${actions.length}` };
  return { ok: true, value: actions[0] };
}

function tokensEqual(expected: string, actual: string | undefined): boolean {
  if (actual === undefined) return false;
  const a = Buffer.from(expected, 'utf8');
  const b = Buffer.from(actual, 'utf8');
  return a.length === b.length && timingSafeEqual(a, b);
}

/**
 * One connection's state and answers: the handshake, its env handles, and one response per
 * request. Transport-free: the server hands it frames and sends what it returns.
 */
export class Session {
  readonly #options: SessionOptions;
  readonly #logger: Logger;
  readonly #entries = new Map<number, Entry>();
  readonly #closedReasons = new Map<number, string>();
  #nextHandle = 1;
  #isGreeted = false;
  /** The client asked for binary vector results (`hello.capabilities`). */
  #isBinary = false;
  /** A 1.2 client with binary results: `info`'s typed arrays travel in the binary frame too. */
  #isTypedInfo = false;
  /** The client announced binary step / stepVector requests (1.2). */
  #acceptsBinaryRequests = false;
  /** Numbers of one step's observations over the open envs. */
  #openNumbers = 0;
  /** This connection as a policy of the arena (after `registerPolicy`). */
  #policy: PolicyLink | undefined;
  /** Memory of a binary frame already sent, to write the next one into (see {@link recycleFrame}). */
  #scratch: Buffer | undefined;

  constructor(options: SessionOptions) {
    this.#options = options;
    this.#logger = options.logger;
  }

  /** True after a successful hello. */
  get isGreeted(): boolean {
    return this.#isGreeted;
  }

  /** Open env handles. */
  get openEnvs(): number {
    return this.#entries.size;
  }

  /** Answers one raw frame (never throws). */
  answerFrame(data: string | Buffer, isBinary: boolean): Answer {
    if (isBinary && this.#acceptsBinaryRequests) return this.#answerBinary(typeof data === 'string' ? Buffer.from(data, 'utf8') : data);
    let parsed: ReturnType<typeof parseClientFrame>;
    try {
      parsed = parseClientFrame(data, isBinary);
    } catch (error) {
      this.#logger.error({ err: error }, 'frame parser failed');
      return errorFrame(null, ErrorCode.INTERNAL, `the server failed to parse the frame (${error instanceof Error ? error.message : String(error)})`);
    }
    if (!parsed.ok) {
      this.#logger.debug({ code: parsed.error.code, requestId: parsed.error.id }, parsed.error.message);
      return parsed.error;
    }
    return this.answer(parsed.message);
  }

  /** Answers a binary step / stepVector frame (never throws). */
  #answerBinary(bytes: Buffer): Answer {
    const decoded = decodeBinaryRequest(bytes);
    if (!decoded.ok) {
      this.#logger.debug({ code: decoded.code, requestId: decoded.id }, decoded.reason);
      return errorFrame(decoded.id, decoded.code, decoded.reason);
    }
    const { request } = decoded;
    try {
      if (request.type === 'stepVector') return this.#stepVector(request.id, request.handle, request.actions);
      return this.#step(request.id, request.handle, (space) => binaryAction(space, request.actions));
    } catch (error) {
      return this.#errorResponse(request, error);
    }
  }

  /** Answers one parsed request (never throws). */
  answer(message: ClientMessage): Answer {
    try {
      return this.#dispatch(message);
    } catch (error) {
      return this.#errorResponse(message, error);
    }
  }

  /**
   * Hands back the memory of a binary answer's frame once the socket holds no reference to it (it
   * was written out): the next binary answer is written there instead of into new memory.
   */
  recycleFrame(answer: BinaryAnswer): void {
    const { frame } = answer;
    this.#scratch = Buffer.from(frame.buffer, frame.byteOffset, frame.buffer.byteLength - frame.byteOffset);
  }

  /** Closes every env unused for longer than the idle timeout; returns how many. */
  closeIdle(nowMs: number): number {
    const { idleTimeoutMs } = this.#options;
    let count = 0;
    for (const [handle, entry] of this.#entries) {
      if (nowMs - entry.lastUsedMs <= idleTimeoutMs) continue;
      this.#closeEntry(handle, entry, `closed after ${idleTimeoutMs / 1000} s without a request (idle timeout)`);
      this.#logger.info({ handle, envId: entry.envId }, 'env closed: idle timeout');
      count++;
    }
    return count;
  }

  /** Closes every env (the connection ended). */
  close(): void {
    for (const [handle, entry] of this.#entries) this.#closeEntry(handle, entry, 'closed with its connection');
    this.#policy?.close();
    this.#policy = undefined;
  }

  #dispatch(message: ClientMessage): Answer {
    if (message.type === 'hello') return this.#hello(message);
    if (!this.#isGreeted) {
      throw new RequestError(ErrorCode.HELLO_REQUIRED, `${message.type}: expected a successful hello first, actual none`);
    }
    switch (message.type) {
      case 'make':
        return this.#make(message);
      case 'makeVector':
        return this.#makeVector(message);
      case 'reset':
        return this.#reset(message);
      case 'step':
        return this.#step(message.id, message.handle, (space) => decodeValue(space, message.action, 'step.action'));
      case 'stepVector':
        return this.#stepVector(message.id, message.handle, Int32Array.from(message.actions));
      case 'close':
        return this.#close(message);
      case 'registerPolicy':
        return this.#registerPolicy(message);
      case 'recommendation':
        return this.#recommendation(message);
    }
  }

  #registerPolicy(message: RequestOf<'registerPolicy'>): ServerMessage {
    const { policyHost, push } = this.#options;
    if (!policyHost || !push) throw new RequestError(ErrorCode.POLICY_REFUSED, 'registerPolicy: expected a server running an arena (recgym arena), actual recgym serve');
    if (this.#policy) throw new RequestError(ErrorCode.POLICY_REFUSED, 'registerPolicy: expected one policy per connection, actual a second one');
    this.#policy = policyHost.register(message.name, push, this.#logger);
    this.#logger.info({ policy: message.name }, 'policy registered');
    return { type: 'policyRegistered', id: message.id, name: message.name, deadlineMs: this.#policy.deadlineMs, slateSize: this.#policy.slateSize };
  }

  #recommendation(message: RequestOf<'recommendation'>): ServerMessage {
    if (!this.#policy) throw new RequestError(ErrorCode.POLICY_REFUSED, 'recommendation: expected a registerPolicy first, actual none');
    const outcome = this.#policy.answer(message.requestId, message.items);
    if (outcome === 'unknown') throw new RequestError(ErrorCode.POLICY_REFUSED, `recommendation.requestId: expected a pending recommend of this policy, actual ${JSON.stringify(message.requestId)}`);
    return { type: 'recommendationAccepted', id: message.id, requestId: message.requestId, isLate: outcome === 'late' };
  }

  #hello(message: RequestOf<'hello'>): ServerMessage {
    if (this.#isGreeted) throw new RequestError(ErrorCode.INVALID_MESSAGE, 'hello: expected one hello per connection, actual a second one');
    const version = compareProtocol(message.protocol);
    if (!version.ok) throw new RequestError(ErrorCode.PROTOCOL_MISMATCH, version.message);
    const { token } = this.#options;
    if (token !== undefined && !tokensEqual(token, message.token)) {
      throw new RequestError(ErrorCode.UNAUTHENTICATED, `hello.token: expected the server's token, actual ${message.token === undefined ? 'none' : 'a wrong one'}`);
    }
    this.#isGreeted = true;
    // binary-batches is 1.1's: a 1.0 client gets JSON whatever it lists
    const minor = Number(message.protocol.split('.')[1]);
    this.#isBinary = IS_LITTLE_ENDIAN && minor >= 1 && message.capabilities.includes(BINARY_BATCHES);
    // typed info and binary requests are 1.2's: a 1.1 client reads info as JSON
    this.#isTypedInfo = this.#isBinary && minor >= 2;
    this.#acceptsBinaryRequests = IS_LITTLE_ENDIAN && minor >= 2 && message.capabilities.includes(BINARY_REQUESTS);
    this.#logger.info({ clientProtocol: message.protocol, capabilities: message.capabilities }, 'hello');
    return {
      type: 'welcome',
      id: message.id,
      protocol: PROTOCOL_VERSION,
      capabilities: SERVER_CAPABILITIES.filter((c) => IS_LITTLE_ENDIAN || (c !== BINARY_BATCHES && c !== BINARY_REQUESTS)),
      envs: listEnvs().map((r) => ({ id: r.id, description: r.description })),
      warnings: version.warning === undefined ? [] : [version.warning],
      server: { pid: process.pid, worker: this.#options.worker ?? 0 },
    };
  }

  #makeOptions(message: RequestOf<'make'> | RequestOf<'makeVector'>): MakeEnvOptions {
    const options = { ...(message.options ?? {}) } as Record<string, unknown>;
    for (const key of ['store', 'trainingEpochSchedule']) {
      if (key in options) throw new RequestError(ErrorCode.BAD_OPTION, `${message.type}.options.${key}: expected none (the server sets it), actual one`);
    }
    if (message.seed !== undefined) options.seed = message.seed;
    if (this.#options.store !== undefined) options.store = this.#options.store;
    return options as MakeEnvOptions;
  }

  #checkRoom(type: string): void {
    if (this.#entries.size >= this.#options.maxEnvs) {
      throw new RequestError(ErrorCode.TOO_MANY_ENVS, `${type}: expected at most ${this.#options.maxEnvs} open envs per connection, actual ${this.#entries.size} open`);
    }
  }

  #make(message: RequestOf<'make'>): ServerMessage {
    this.#checkRoom('make');
    const env = makeEnv<AnyEnv>(message.envId, this.#makeOptions(message));
    const numbers = this.#checkSize('make', env, env.observationSpace, 1);
    const handle = this.#add({ kind: 'single', envId: message.envId, env, numbers, lastUsedMs: this.#options.now() });
    return {
      type: 'made',
      id: message.id,
      handle,
      envId: message.envId,
      maxEpisodeSteps: env.spec?.maxEpisodeSteps ?? null,
      observationSpace: describeSpace(env.observationSpace),
      actionSpace: describeSpace(env.actionSpace),
    };
  }

  #makeVector(message: RequestOf<'makeVector'>): ServerMessage {
    this.#checkRoom('makeVector');
    const { maxVectorEnvs } = this.#options;
    if (message.n > maxVectorEnvs) throw new RequestError(ErrorCode.TOO_MANY_ENVS, `makeVector.n: expected at most ${maxVectorEnvs} slots, actual ${message.n}`);
    const env = makeVectorEnv<AnyVectorEnv>(message.envId, { ...this.#makeOptions(message), numEnvs: message.n });
    const numbers = this.#checkSize('makeVector', env, env.singleObservationSpace, env.numEnvs);
    const handle = this.#add({ kind: 'vector', envId: message.envId, env, numbers, lastUsedMs: this.#options.now() });
    return {
      type: 'vectorMade',
      id: message.id,
      handle,
      envId: message.envId,
      numEnvs: env.numEnvs,
      maxEpisodeSteps: env.spec?.maxEpisodeSteps ?? null,
      singleObservationSpace: describeSpace(env.singleObservationSpace),
      singleActionSpace: describeSpace(env.singleActionSpace),
    };
  }

  /**
   * The numbers of one step's observations of a new env (all slots); an env that would take the
   * connection's open envs over the limit is closed and refused (its options asked for too much).
   */
  #checkSize(type: string, env: { close(): void }, space: Space<unknown>, slots: number): number {
    const numbers = numbersPerValue(space) * slots;
    const limit = this.#options.maxObservationNumbers;
    if (this.#openNumbers + numbers <= limit) return numbers;
    env.close();
    throw new RequestError(
      ErrorCode.BAD_OPTION,
      `${type}: expected observations of at most ${limit} numbers per step over a connection's open envs, actual ${numbers} (${slots} × ${numbersPerValue(space)}) with ${this.#openNumbers} open`,
    );
  }

  #add(entry: Entry): number {
    const handle = this.#nextHandle++;
    this.#openNumbers += entry.numbers;
    this.#entries.set(handle, entry);
    this.#logger.info({ handle, envId: entry.envId, kind: entry.kind }, 'env made');
    return handle;
  }

  #entry(type: string, handle: number): Entry {
    const entry = this.#entries.get(handle);
    if (entry !== undefined) {
      entry.lastUsedMs = this.#options.now();
      return entry;
    }
    if (handle < this.#nextHandle) {
      const reason = this.#closedReasons.get(handle) ?? 'closed';
      throw new RequestError(ErrorCode.ENV_CLOSED, `${type}.handle: expected an open env, actual handle ${handle} ${reason}`);
    }
    throw new RequestError(ErrorCode.UNKNOWN_HANDLE, `${type}.handle: expected a handle made on this connection, actual ${handle}`);
  }

  #reset(message: RequestOf<'reset'>): Answer {
    const entry = this.#entry('reset', message.handle);
    const { id, handle, seed, options } = message;
    if (entry.kind === 'vector') {
      if (options !== undefined) throw new RequestError(ErrorCode.BAD_OPTION, 'reset.options: expected none on a vector env, actual some');
      const { env } = entry;
      const result = env.reset(seed === undefined ? {} : { seed });
      const encode = this.#isBinary ? typedBatch : encodeBatch;
      const observations = encode(env.singleObservationSpace, env.numEnvs, result.observations, (slot) => env.observationAt(result.observations, slot));
      return this.#vectorAnswer({ type: 'vectorResetResult', id, handle, observations }, result.info);
    }
    const { env } = entry;
    const result = env.reset({ ...(seed === undefined ? {} : { seed }), ...(options === undefined ? {} : { options }) });
    return { type: 'resetResult', id, handle, observation: encodeValue(env.observationSpace, result.observation), info: infoJson(result.info) };
  }

  /** Steps a single env with the action `decode` reads for its action space. */
  #step(id: ClientMessage['id'], handle: number, decode: (space: Space<unknown>) => Decoded<unknown>): TextAnswer {
    const entry = this.#entry('step', handle);
    if (entry.kind !== 'single') throw new RequestError(ErrorCode.WRONG_HANDLE_KIND, `step.handle: expected a single env, actual vector env ${handle} (use stepVector)`);
    const { env } = entry;
    const action = decode(env.actionSpace);
    if (!action.ok) throw new RequestError(ErrorCode.INVALID_ACTION, action.reason);
    const result = env.step(action.value);
    // the text JSON.stringify would write of { type, id, handle, observation, reward, terminated, truncated, info } (tested)
    const text = `{"type":"stepResult","id":${JSON.stringify(id)},"handle":${handle},"observation":${valueText(env.observationSpace, result.observation)},"reward":${JSON.stringify(result.reward)},"terminated":${result.terminated},"truncated":${result.truncated},"info":${jsonText(result.info ?? {})}}`;
    return { type: 'text', of: 'stepResult', id, text };
  }

  #stepVector(id: ClientMessage['id'], handle: number, actions: Int32Array): Answer {
    const entry = this.#entry('stepVector', handle);
    if (entry.kind !== 'vector') throw new RequestError(ErrorCode.WRONG_HANDLE_KIND, `stepVector.handle: expected a vector env, actual single env ${handle} (use step)`);
    const { env } = entry;
    const result = env.step(actions);
    const space = env.singleObservationSpace;
    const n = env.numEnvs;
    const { observations, finalObservations } = result;
    const isBinary = this.#isBinary;
    const encode = isBinary ? typedBatch : encodeBatch;
    // a binary frame copies the env's arrays as they are (encoded before the env steps again)
    const flags = (values: Uint8Array) => (isBinary ? values : Array.from(values));
    return this.#vectorAnswer(
      {
        type: 'vectorStepResult',
        id,
        handle,
      observations: encode(space, n, observations, (slot) => env.observationAt(observations, slot)),
      rewards: isBinary ? (result.rewards instanceof Float32Array ? result.rewards : Float32Array.from(result.rewards)) : Array.from(result.rewards),
      terminations: flags(result.terminations),
      truncations: flags(result.truncations),
      finalObservations: encode(space, n, finalObservations, (slot) => env.observationAt(finalObservations, slot)),
      },
      result.info,
    );
  }

  /** A vector result (with `info`) as a binary frame when the client asked for one, else as it is (JSON arrays). */
  #vectorAnswer(result: { type: 'vectorResetResult' | 'vectorStepResult'; id: ClientMessage['id']; [key: string]: unknown }, info: unknown): Answer {
    if (!this.#isBinary) return { ...result, info: infoJson(info) } as unknown as ServerMessage;
    const message = { ...result, info: this.#isTypedInfo ? infoTyped(info) : infoJson(info) };
    const frame = encodeBinaryFrame(message, this.#scratch);
    this.#scratch = undefined;
    return { type: 'binary', of: result.type, id: result.id, frame };
  }

  #close(message: RequestOf<'close'>): ServerMessage {
    const entry = this.#entry('close', message.handle);
    this.#closeEntry(message.handle, entry, 'closed by the client');
    this.#logger.info({ handle: message.handle, envId: entry.envId }, 'env closed');
    return { type: 'closed', id: message.id, handle: message.handle };
  }

  #closeEntry(handle: number, entry: Entry, reason: string): void {
    this.#entries.delete(handle);
    this.#openNumbers -= entry.numbers;
    this.#closedReasons.set(handle, reason);
    if (this.#closedReasons.size > REMEMBERED_CLOSED) this.#closedReasons.delete(this.#closedReasons.keys().next().value as number);
    try {
      entry.env.close();
    } catch (error) {
      this.#logger.error({ err: error, handle }, 'env.close failed');
    }
  }

  #errorResponse(message: Pick<ClientMessage, 'id' | 'type'>, error: unknown): ServerMessage {
    const { id, type } = message;
    let code: string;
    let text: string;
    if (error instanceof RequestError || isRecGymError(error)) {
      code = (error as RequestError).code;
      text = error.message;
    } else if ((error instanceof TypeError || error instanceof RangeError) && (type === 'make' || type === 'makeVector' || type === 'reset')) {
      code = ErrorCode.BAD_OPTION;
      text = error.message;
    } else {
      this.#logger.error({ err: error, requestId: id, type }, 'request failed');
      code = ErrorCode.INTERNAL;
      text = `${type}: the server failed (${error instanceof Error ? error.message : String(error)})`;
    }
    this.#logger.debug({ code, requestId: id, type }, text);
    return errorFrame(id, code, text);
  }
}

