import { z } from 'zod';
import { ErrorCode } from '../core/errors.js';
import { SpaceDescriptionSchema } from '../env/spaces/describe.js';
import type { WireBatch, WireValue } from './wire.js';

/** The protocol's semver: a different major is refused at `hello`, a different minor is a warning. */
export const PROTOCOL_VERSION = '1.3.0';

/** Deepest nesting of arrays and objects a frame may have (deeper JSON would exhaust the stack of recursive validation). */
export const MAX_NESTING = 32;

/**
 * The capability (1.1) a client names in `hello.capabilities` to receive `vectorResetResult` and
 * `vectorStepResult` as binary frames of typed arrays (src/server/binary-frame.ts); without it, JSON.
 */
export const BINARY_BATCHES = 'binary-batches';

/**
 * The capability (1.2) a client names in `hello.capabilities` to send `step` and `stepVector` as
 * binary frames of int32 actions (src/server/binary-request.ts); JSON requests stay accepted.
 */
export const BINARY_REQUESTS = 'binary-requests';

/** What this server offers, sent in `welcome.capabilities`. */
export const SERVER_CAPABILITIES = ['single', 'vector', 'pipelining', BINARY_BATCHES, BINARY_REQUESTS] as const;

const Semver = z.string().regex(/^\d+\.\d+\.\d+$/, 'expected a version MAJOR.MINOR.PATCH');
const RequestId = z
  .union([z.number().int().min(0).max(Number.MAX_SAFE_INTEGER), z.string().min(1).max(128)])
  .describe('chosen by the client; echoed by the one response to this request');
const Handle = z.number().int().min(1).max(Number.MAX_SAFE_INTEGER).describe('an env handle from `made` or `vectorMade`');
/** An env seed: an integer 0 .. 2^53 - 1 (as every recgym env takes). */
const Seed = z.number().int().min(0).max(Number.MAX_SAFE_INTEGER);
const JsonObject = z.record(z.string(), z.json());

const Hello = z
  .object({
    type: z.literal('hello'),
    id: RequestId,
    protocol: Semver.describe("the client's protocol version"),
    token: z.string().max(4096).optional().describe('required when the server has a token'),
    capabilities: z
      .array(z.string().max(64))
      .max(64)
      .default([])
      .describe(
        'what the client supports; `binary-batches` (1.1) asks for vector results as binary frames, `binary-requests` (1.2) announces binary `step` / `stepVector` frames, the others are informative',
      ),
  })
  .describe('First message of a connection: version check and authentication. Answered by `welcome`.');

/** The fields of `make` and `makeVector` that choose the env. */
const EnvChoice = {
  envId: z.string().max(256).describe('a registered env id (see `welcome.envs`)'),
  options: JsonObject.optional().describe("the env's options (JSON ones; the server supplies the data)"),
  seed: Seed.optional().describe("seed of the env's generator until a `reset` with a seed"),
};

const Make = z.object({ type: z.literal('make'), id: RequestId, ...EnvChoice }).describe('Makes one env. Answered by `made`.');

const MakeVector = z
  .object({
    type: z.literal('makeVector'),
    id: RequestId,
    ...EnvChoice,
    n: z.number().int().min(1).max(Number.MAX_SAFE_INTEGER).describe('number of slots stepped in lock-step'),
  })
  .describe('Makes the vector form of an env (same-step auto-reset). Answered by `vectorMade`.');

const Reset = z
  .object({
    type: z.literal('reset'),
    id: RequestId,
    handle: Handle,
    seed: Seed.optional().describe("re-creates the env's generator; omitted keeps it"),
    options: JsonObject.optional().describe("the env's reset options (single envs), e.g. `{ episode }`"),
  })
  .describe('Starts an episode (every slot of a vector env). Answered by `resetResult` or `vectorResetResult`.');

const Step = z
  .object({
    type: z.literal('step'),
    id: RequestId,
    handle: Handle,
    action: z.json().describe('a member of the action space as JSON: a number (Discrete), an array (Box, Slate)'),
  })
  .describe('Steps a single env. Answered by `stepResult`.');

const StepVector = z
  .object({
    type: z.literal('stepVector'),
    id: RequestId,
    handle: Handle,
    actions: z
      .array(z.number().int().min(-2147483648).max(2147483647))
      .describe('int32 actions slot after slot: N candidate indices, or N × K slate items'),
  })
  .describe('Steps every slot of a vector env. Answered by `vectorStepResult`.');

const Close = z
  .object({ type: z.literal('close'), id: RequestId, handle: Handle })
  .describe('Closes an env; its handle then answers `RECGYM_ERR_ENV_CLOSED`. Answered by `closed`.');

const PolicyName = z.string().regex(/^[A-Za-z0-9_.-]{1,40}$/, 'expected 1 to 40 letters, digits, "_", "-" or "."');

const RegisterPolicy = z
  .object({ type: z.literal('registerPolicy'), id: RequestId, name: PolicyName.describe("the policy's name in the arena's figures") })
  .describe('(1.2, arena servers) Enters this connection as a policy of the arena: the server then sends `recommend` requests. Answered by `policyRegistered`.');

const Recommendation = z
  .object({
    type: z.literal('recommendation'),
    id: RequestId,
    requestId: z.string().max(64).describe('the `recommend.requestId` answered'),
    items: z.array(z.number().int().min(0).max(Number.MAX_SAFE_INTEGER)).max(1000).describe('item ids of the data, best first; unknown ids are skipped'),
  })
  .describe('(1.2) Answers a `recommend`. Answered by `recommendationAccepted`.');

/** Every message a client sends: a request with an `id`, answered by exactly one response, in order. */
export const ClientMessageSchema = z.discriminatedUnion('type', [Hello, Make, MakeVector, Reset, Step, StepVector, Close, RegisterPolicy, Recommendation]);
export type ClientMessage = z.infer<typeof ClientMessageSchema>;
/** A client message as written (defaults not yet applied). */
export type ClientMessageInput = z.input<typeof ClientMessageSchema>;

/** The `type`s a client may send. */
export const CLIENT_MESSAGE_TYPES = ClientMessageSchema.options.map((o) => o.shape.type.value);

/** A member of a space on the wire: a number, an array of numbers, or an object of those (a Dict). */
const WireValueSchema: z.ZodType<WireValue> = z
  .lazy(() => z.union([z.number(), z.array(z.number()), z.record(z.string(), WireValueSchema)]))
  .meta({ id: 'WireValue' });
/** A batch on the wire: an array of numbers, or an object of those (a Dict). */
const WireBatchSchema: z.ZodType<WireBatch> = z.lazy(() => z.union([z.array(z.number()), z.record(z.string(), WireBatchSchema)])).meta({ id: 'WireBatch' });

const Info = JsonObject.describe("the env's diagnostics (typed arrays as arrays)");
const Observation = WireValueSchema.describe('a member of the observation space as JSON (typed arrays as arrays)');
const Batch = WireBatchSchema.describe('N observations slot after slot: per Dict key one flat array of N × width numbers');
const Flags = z.array(z.number().int().min(0).max(1));

const Welcome = z
  .object({
    type: z.literal('welcome'),
    id: RequestId,
    protocol: Semver.describe("the server's protocol version"),
    capabilities: z.array(z.string()),
    envs: z.array(z.object({ id: z.string(), description: z.string() })).describe('the registered envs'),
    warnings: z.array(z.string()).describe('e.g. a different minor protocol version'),
    server: z
      .object({
        pid: z.number().int().describe('process id of the server process serving this connection'),
        worker: z.number().int().min(0).describe('its worker slot 1..N under `recgym serve --workers N`; 0 for a single-process server'),
      })
      .optional()
      .describe('(1.3) informative: which server process answers this connection (absent from servers before 1.3)'),
  })
  .describe('Answers `hello`: the connection may now make envs.');

const Made = z
  .object({
    type: z.literal('made'),
    id: RequestId,
    handle: Handle,
    envId: z.string(),
    maxEpisodeSteps: z.number().int().nullable(),
    observationSpace: SpaceDescriptionSchema,
    actionSpace: SpaceDescriptionSchema,
  })
  .describe('Answers `make`: the handle and the spaces, described so the client can rebuild them.');

const VectorMade = z
  .object({
    type: z.literal('vectorMade'),
    id: RequestId,
    handle: Handle,
    envId: z.string(),
    numEnvs: z.number().int().min(1),
    maxEpisodeSteps: z.number().int().nullable(),
    singleObservationSpace: SpaceDescriptionSchema,
    singleActionSpace: SpaceDescriptionSchema,
  })
  .describe('Answers `makeVector`: the handle, the slot count and the single spaces.');

const ResetResult = z
  .object({ type: z.literal('resetResult'), id: RequestId, handle: Handle, observation: Observation, info: Info })
  .describe('Answers `reset` on a single env.');

const StepResult = z
  .object({
    type: z.literal('stepResult'),
    id: RequestId,
    handle: Handle,
    observation: Observation,
    reward: z.number(),
    terminated: z.boolean().describe('the episode really ended: do not bootstrap'),
    truncated: z.boolean().describe('the episode was cut: bootstrap from `observation`'),
    info: Info,
  })
  .describe('Answers `step`.');

const VectorResetResult = z
  .object({ type: z.literal('vectorResetResult'), id: RequestId, handle: Handle, observations: Batch, info: Info })
  .describe('Answers `reset` on a vector env.');

const VectorStepResult = z
  .object({
    type: z.literal('vectorStepResult'),
    id: RequestId,
    handle: Handle,
    observations: Batch.describe('next observations; a finished slot already shows its next episode'),
    rewards: z.array(z.number()),
    terminations: Flags,
    truncations: Flags,
    finalObservations: Batch.describe("each finished slot's last observation (valid where terminations | truncations)"),
    info: Info,
  })
  .describe('Answers `stepVector`.');

const Closed = z.object({ type: z.literal('closed'), id: RequestId, handle: Handle }).describe('Answers `close`.');

const PolicyRegistered = z
  .object({
    type: z.literal('policyRegistered'),
    id: RequestId,
    name: z.string(),
    deadlineMs: z.number().int().min(1).describe('a `recommendation` later than this after its `recommend` is replaced by the control policy'),
    slateSize: z.number().int().min(1),
  })
  .describe('Answers `registerPolicy`.');

const RecommendationAccepted = z
  .object({ type: z.literal('recommendationAccepted'), id: RequestId, requestId: z.string(), isLate: z.boolean().describe('it came after the deadline: the control policy was shown instead') })
  .describe('Answers `recommendation`.');

const Recommend = z
  .object({
    type: z.literal('recommend'),
    id: z.null().describe('null: a request of the server, not a response'),
    requestId: z.string().describe('to quote in the `recommendation`'),
    policy: z.string(),
    shopperKind: z.enum(['human', 'simulated']),
    history: z
      .array(z.object({ item: z.number(), behavior: z.number().int().min(1).max(4), time: z.number().int().describe('unix seconds') }))
      .describe("the shopper's latest events, oldest first (item ids of the data)"),
    size: z.number().int().min(1).describe('items wanted, best first'),
    deadlineMs: z.number().int().min(1),
  })
  .describe('(1.2) Sent by the server, unasked, to a connection registered as a policy: rank items for a shopper. Not a response (its `id` is null).');

/** One zod issue of a refused message. */
export const IssueSchema = z.object({ code: z.string(), path: z.array(z.union([z.string(), z.number()])), message: z.string() });
export type Issue = z.infer<typeof IssueSchema>;

const ErrorFrame = z
  .object({
    type: z.literal('error'),
    id: RequestId.nullable().describe("the request's id; null when the frame had no readable id"),
    code: z.string().describe('a stable code (see the table of codes)'),
    message: z.string().describe('one line: expected X, actual Y'),
    issues: z.array(IssueSchema).optional().describe('the zod issues of a refused message'),
    retryAfterMs: z.number().int().min(0).optional().describe('`RECGYM_ERR_RATE_LIMITED`: milliseconds after which the request would be admitted'),
  })
  .describe('Answers a request that failed; the connection stays usable.');

/** Every message a server sends: one response per request, in the order of the requests. */
export const ServerMessageSchema = z.discriminatedUnion('type', [
  Welcome,
  Made,
  VectorMade,
  ResetResult,
  StepResult,
  VectorResetResult,
  VectorStepResult,
  Closed,
  PolicyRegistered,
  RecommendationAccepted,
  Recommend,
  ErrorFrame,
]);
export type ServerMessage = z.infer<typeof ServerMessageSchema>;
export type ErrorMessage = z.infer<typeof ErrorFrame>;

/** The error codes of the protocol and when each is sent. */
export const PROTOCOL_ERRORS: ReadonlyArray<{ code: ErrorCode; when: string }> = [
  {
    code: ErrorCode.BAD_FRAME,
    when: `a binary frame without \`binary-requests\` or not laid out as a binary request, text that is not UTF-8, JSON nested over ${MAX_NESTING} levels, or text that is not a JSON object`,
  },
  { code: ErrorCode.FRAME_TOO_LARGE, when: "a frame over the server's message limit (over `maxPayload` the server closes with 1009)" },
  { code: ErrorCode.UNKNOWN_MESSAGE, when: 'a `type` the protocol does not define' },
  { code: ErrorCode.INVALID_MESSAGE, when: 'a known message with missing or invalid fields; `issues` lists them' },
  { code: ErrorCode.HELLO_REQUIRED, when: 'a request before a successful `hello`' },
  { code: ErrorCode.UNAUTHENTICATED, when: 'a `hello` without the right token' },
  { code: ErrorCode.PROTOCOL_MISMATCH, when: "a `hello` whose major version is not the server's" },
  { code: ErrorCode.UNKNOWN_ENV, when: '`make` / `makeVector` of an env id that is not registered' },
  { code: ErrorCode.BAD_OPTION, when: "env options the env refuses (the message names the field)" },
  { code: ErrorCode.UNKNOWN_HANDLE, when: 'a handle this connection never made' },
  { code: ErrorCode.WRONG_HANDLE_KIND, when: '`step` on a vector handle, `stepVector` on a single one' },
  { code: ErrorCode.ENV_CLOSED, when: 'a handle closed by `close` or after the idle timeout' },
  { code: ErrorCode.TOO_MANY_ENVS, when: 'more open envs, or slots of one vector env, than the server allows' },
  { code: ErrorCode.RESET_NEEDED, when: '`step` before `reset`, or after the episode ended' },
  { code: ErrorCode.INVALID_ACTION, when: 'an action outside the action space' },
  { code: ErrorCode.NO_EVENTS, when: "options that leave the env without an episode" },
  {
    code: ErrorCode.RATE_LIMITED,
    when: 'a request over the connection\'s rate limit (`recgym serve --rate-messages / --rate-bytes`); `retryAfterMs` says when it would be admitted, the request is not run',
  },
  { code: ErrorCode.POLICY_REFUSED, when: '`registerPolicy` on a server without an arena, a taken name or a second one per connection; a `recommendation` of an unknown request' },
  { code: ErrorCode.INTERNAL, when: 'the server failed on a valid request (it logs the cause)' },
];

/** How a `hello`'s version compares with the server's: refused (major), warned about (minor) or equal. */
export function compareProtocol(client: string, server = PROTOCOL_VERSION): { ok: true; warning?: string } | { ok: false; message: string } {
  const [clientMajor, clientMinor] = client.split('.').map(Number);
  const [serverMajor, serverMinor] = server.split('.').map(Number);
  if (clientMajor !== serverMajor) {
    return { ok: false, message: `hello.protocol: expected major version ${serverMajor} (server ${server}), actual ${client}` };
  }
  if (clientMinor !== serverMinor) {
    return { ok: true, warning: `client protocol ${client}, server ${server}: features of the other minor version are not available` };
  }
  return { ok: true };
}
