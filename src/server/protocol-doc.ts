import { z } from 'zod';
import { SERVER_DEFAULTS } from './server.js';
import { RESTART_DEFAULTS } from './worker-pool.js';
import { BINARY_MAGIC } from './binary-frame.js';
import { REQUEST_HEADER_BYTES, REQUEST_MAGIC } from './binary-request.js';
import { BINARY_BATCHES, BINARY_REQUESTS, ClientMessageSchema, PROTOCOL_ERRORS, PROTOCOL_VERSION, ServerMessageSchema } from './protocol.js';

type JsonSchema = {
  type?: string;
  const?: unknown;
  enum?: unknown[];
  anyOf?: JsonSchema[];
  oneOf?: JsonSchema[];
  items?: JsonSchema;
  $ref?: string;
  properties?: Record<string, JsonSchema>;
  required?: string[];
  description?: string;
  minimum?: number;
  maximum?: number;
  default?: unknown;
  additionalProperties?: JsonSchema | boolean;
};

/** The JSON Schema of every message: `client` (what a client sends, as written) and `server` (what it receives). */
export function protocolJsonSchema(): { protocol: string; client: object; server: object } {
  return {
    protocol: PROTOCOL_VERSION,
    client: z.toJSONSchema(ClientMessageSchema, { io: 'input' }),
    server: z.toJSONSchema(ServerMessageSchema, { io: 'output' }),
  };
}

const SAFE = Number.MAX_SAFE_INTEGER;

/** A field's type in a few words. */
function typeText(schema: JsonSchema): string {
  if (schema.const !== undefined) return `\`${JSON.stringify(schema.const)}\``;
  if (schema.enum) return schema.enum.map((v) => `\`${JSON.stringify(v)}\``).join(' \\| ');
  if (schema.$ref) return `[${schema.$ref.split('/').pop()}](#${schema.$ref.split('/').pop()?.toLowerCase()})`;
  const union = schema.anyOf ?? schema.oneOf;
  if (union) return union.length === 6 ? 'JSON' : union.map(typeText).join(' \\| ');
  if (schema.type === 'array') return `${typeText(schema.items ?? {})}[]`;
  if (schema.type === 'object') return schema.properties ? 'object' : 'JSON object';
  if (schema.type === 'integer') {
    const low = schema.minimum !== undefined && schema.minimum > -SAFE ? schema.minimum : undefined;
    const high = schema.maximum !== undefined && schema.maximum < SAFE ? schema.maximum : undefined;
    if (low !== undefined && high !== undefined) return `integer ${low}..${high}`;
    if (low !== undefined) return `integer ≥ ${low}`;
    return 'integer';
  }
  return schema.type ?? 'JSON';
}

function messageSection(option: z.ZodType, io: 'input' | 'output'): string {
  const schema = z.toJSONSchema(option, { io, unrepresentable: 'any' }) as JsonSchema;
  const properties = schema.properties ?? {};
  const type = properties.type?.const as string;
  const required = new Set(schema.required ?? []);
  const rows = Object.entries(properties)
    .filter(([name]) => name !== 'type')
    .map(([name, field]) => `| \`${name}\` | ${typeText(field)} | ${required.has(name) ? 'yes' : 'no'} | ${(field.description ?? '').replaceAll('|', '\\|')} |`);
  return [`### \`${type}\``, '', schema.description ?? '', '', '| field | type | required | meaning |', '| --- | --- | --- | --- |', ...rows, ''].join('\n');
}

const SPACES = `## Spaces and values

### SpaceDescription

\`made\` and \`vectorMade\` describe each space as JSON; the TypeScript client rebuilds it with
\`spaceFromDescription\` (src/env/spaces/describe.ts), the Python client as Gymnasium spaces:

| kind | fields | a member on the wire |
| --- | --- | --- |
| \`Discrete\` | \`n\`, \`start\` | an integer in start..start + n - 1 |
| \`Box\` | \`low\`, \`high\` (a number, \`"inf"\` or \`"-inf"\`), \`shape\`, \`dtype\` (int8, uint8, int32, float32, float64) | an array of shape's product of numbers, row-major |
| \`Slate\` | \`size\`, \`items\` (the allowed item ids, ascending) | an array of \`size\` distinct ids from \`items\` |
| \`Dict\` | \`spaces\` (key → space description) | an object with exactly those keys |

### WireValue

One member of a space (an observation, an action): a number (Discrete), an array of numbers (Box,
Slate), or an object of those (Dict).

### WireBatch

N members of a space (\`observations\`, \`finalObservations\` of a vector env): for each leaf space
(each key of a Dict) one flat array of N × width numbers, slot after slot (width: 1 for Discrete,
the size for Box and Slate). The in-process \`states\` view of the vector env is not sent.
`;

const BINARY = `## Binary batches (1.1)

A client that says \`hello {protocol: "1.1.x" or later, capabilities: ["${BINARY_BATCHES}"]}\` (and a server that lists
\`${BINARY_BATCHES}\` in \`welcome.capabilities\`) receives \`vectorResetResult\` and \`vectorStepResult\` as one
binary websocket frame each instead of JSON text; every other answer, and every error, stays JSON, and
the rule of one response per request, in order, is unchanged. A 1.0 client, or one that does not list
the capability, gets JSON. Clients send JSON text, and binary \`step\` / \`stepVector\` frames once they
announced \`${BINARY_REQUESTS}\` (see "Binary requests"); any other binary frame from a client is
\`RECGYM_ERR_BAD_FRAME\`. The frame (src/server/binary-frame.ts):

| bytes | what |
| --- | --- |
| 0–3 | \`${BINARY_MAGIC}\` (ASCII) |
| 4–7 | H, the header's length in bytes (uint32, little-endian) |
| 8 … 8 + H | the header, UTF-8 JSON \`{ message, arrays }\` |
| then | each array's bytes, little-endian, in the order of \`arrays\`, each starting at a multiple of 8 (zero padding); the frame ends with the last array's padding |

\`message\` is the response without its arrays (\`type\`, \`id\`, \`handle\`, \`info\`); \`arrays\` lists
\`{ path, dtype, length }\`: where the array goes in the message (\`["observations", "items"]\`,
\`["rewards"]\`), its element type (int8, uint8, int32, float32, float64) and its element count. Put
back, the message is the JSON response with typed arrays in place of its number arrays: the same
numbers (\`rewards\` float32, \`terminations\` and \`truncations\` uint8, observation leaves in their
space's dtype, Discrete and Slate leaves int32). To a 1.2 client, \`info\`'s per-slot arrays travel as
arrays of the frame too (\`["info", "episodes"]\` int32, \`["info", "episodeReturns"]\` float64, …; where
JSON would send \`null\` for a number that is not finite, the array holds it as it is); a 1.1 client
gets \`info\` as JSON in the header.

## Binary requests (1.2)

A client that says \`hello {protocol: "1.2.x" or later, capabilities: ["${BINARY_REQUESTS}"]}\` (and a server that
lists \`${BINARY_REQUESTS}\` in \`welcome.capabilities\`) may send \`step\` and \`stepVector\` as one binary frame
each, mixed freely with JSON requests (which stay accepted); the answers are those of the JSON form,
in order. The frame (src/server/binary-request.ts), little-endian:

| bytes | what |
| --- | --- |
| 0–3 | \`${REQUEST_MAGIC}\` (ASCII) |
| 4–7 | the request: 1 \`step\`, 2 \`stepVector\` (uint32) |
| 8–15 | the request id, an integer 0 .. 2^53 - 1 (float64; string ids need JSON) |
| 16–23 | the env handle (float64) |
| 24–27 | N, the number of actions (uint32) |
| 28–31 | zero (reserved) |
| ${REQUEST_HEADER_BYTES} … ${REQUEST_HEADER_BYTES} + 4N | N int32 actions: \`stepVector\`'s \`actions\`; a \`step\`'s action (1 int32 for a Discrete space, the K items of a slate) |

A frame that is not laid out so is \`RECGYM_ERR_BAD_FRAME\` (bad magic, a length that is not 32 + 4N,
reserved bytes not zero), an unreadable id or handle \`RECGYM_ERR_INVALID_MESSAGE\`, another kind
\`RECGYM_ERR_UNKNOWN_MESSAGE\`; the error frame carries the id when it is readable, and the
connection stays usable. Handles and actions are checked as in JSON (\`RECGYM_ERR_UNKNOWN_HANDLE\`,
\`RECGYM_ERR_INVALID_ACTION\`, …).
`;

function mib(bytes: number): string {
  return `${bytes / (1 << 20)} MiB`;
}

const SCALE_OUT = `## Scale-out

One server process answers on one core (one Node event loop). Two ways to use more: worker
processes behind one port on one machine (\`--workers\`), and servers over user shards of a log on
many machines.

### One machine, many cores: \`--workers\`

\`recgym serve --workers N\` (1..64, or \`auto\` for one per core) starts N worker processes behind the
one port through \`node:cluster\`: the primary process accepts each connection and hands it to the
next worker in turn (round-robin), and the connection stays on that worker. Every worker serves
every env over the same data with the same flags (token, idle timeout, rate limits, \`--data\`,
\`--format\`), so a connection's \`make {seed}\` gives the same episodes whichever worker serves it;
\`welcome.server\` says which one it is (\`{pid, worker}\`, worker 0 for a single-process server).
Limits stay per connection, and \`maxConnections\` (${SERVER_DEFAULTS.maxConnections}) is per worker; each worker holds its own
copy of the data, so memory is about N times one server's.

- The primary logs \`listening\` once, with the port every worker shares (the real one under
  \`--port 0\`); each worker logs \`worker listening\`, and every line of a worker carries its
  \`worker\` slot and \`pid\`.
- A worker that exits is logged (\`worker exited\`) and restarted after ${RESTART_DEFAULTS.baseDelayMs} ms, the delay doubling
  with each exit of that worker within ${RESTART_DEFAULTS.windowMs / 1000} s (at most ${RESTART_DEFAULTS.maxDelayMs / 1000} s); one that exits more than
  ${RESTART_DEFAULTS.maxRestarts} times within ${RESTART_DEFAULTS.windowMs / 1000} s stays down, and when none is left the server exits 1. Its connections
  and their envs are lost (a client reconnects and makes its envs again); the other workers'
  connections go on.
- SIGINT or SIGTERM to the primary closes every worker's envs and connections (close code 1001)
  and exits 0. Ctrl-C reaches every process of the terminal's group: workers leave SIGINT to the
  primary; a worker sent SIGTERM alone closes cleanly and is restarted. If the primary itself is
  killed (SIGKILL), its workers exit at once and their connections drop.

What it buys on a given machine is in BENCHMARKS.md ("Env server under load"): one worker's
single-step ceiling is one core's (1e6 / the server's CPU µs per step), so N workers help as long
as N cores are free of the load generator and the agents.

### Many machines: user shards

Run one server per user shard of a log and let every rollout worker open its own connection to one
of them.

Shard a Tianchi-format log by user (the first column) into k files that keep the header, and serve
each on its own port (or machine; off loopback a token is required):

\`\`\`sh
k=4
for i in $(seq 0 $((k - 1))); do
  awk -F, -v k=$k -v i=$i 'NR == 1 || $1 % k == i' log.csv > shard-$i.csv
  recgym serve --host 0.0.0.0 --port $((8080 + i)) --token-file token --data shard-$i.csv &
done
\`\`\`

Each shard is a log of its own: its catalogue, popularity negatives and test day come from its
users only, so a shard's env is not the full log's env restricted to some users.

Rollout workers (Ray RLlib's, or any pool of processes) each build their env with the Python
client's factory, \`recgym_client.factory.env_creator\` (clients/python/recgym_client/factory.py):
it picks one of \`urls\` round-robin by the worker's \`worker_index + vector_index\` (the fields of
RLlib's EnvContext; 0 when absent), opens a connection for that env alone, and seeds it with
\`seed + 1000 × worker_index + vector_index\`:

\`\`\`python
from ray.tune.registry import register_env
from recgym_client.factory import env_creator

register_env("recgym", env_creator)
config = {
    "env": "recgym",
    "env_config": {
        "urls": [f"ws://10.0.0.{host}:{8080 + i}" for host in (1, 2) for i in range(4)],
        "env_id": "Tianchi-Replay-C20-v0",
        "seed": 0,
    },  # the token comes from RECGYM_TOKEN, or "token" here
}
\`\`\`

The factory is tested against a server (clients/python/tests). The Ray lines above compile
(\`python3 -m py_compile\`, test/server/protocol.test.ts) but have never been run: Ray is not
installable on the machines this project is built on, so no RLlib rollout worker has used them.
`;

/** docs/protocol.md, generated from the zod schemas of protocol.ts (`recgym protocol > docs/protocol.md`). */
export function renderProtocolDoc(): string {
  const errors = PROTOCOL_ERRORS.map((e) => `| \`${e.code}\` | ${e.when} |`);
  return [
    `# recgym server protocol ${PROTOCOL_VERSION}`,
    '',
    '<!-- Generated by `recgym protocol > docs/protocol.md` from src/server/protocol.ts; do not edit by hand. -->',
    '',
    '`recgym serve` speaks JSON text frames over one websocket per connection. Every client message is a',
    'request with an `id` (an integer ≥ 0 or a string the client chooses); the server answers each with',
    'exactly one message carrying the same `id`, in the order the requests arrived, so a client may',
    'send many requests before reading (pipelining). A failed request is answered by an `error` frame',
    'and the connection stays usable. `recgym protocol --json-schema` prints the JSON Schema of every message.',
    '',
    '## Session',
    '',
    `1. \`hello {protocol: "${PROTOCOL_VERSION}", token?, capabilities}\` → \`welcome\`. A different major version is`,
    '   refused (`RECGYM_ERR_PROTOCOL_MISMATCH`), a different minor one is a warning in `welcome.warnings`.',
    '   Every other request before a successful hello is refused (`RECGYM_ERR_HELLO_REQUIRED`).',
    `   \`capabilities: ["${BINARY_BATCHES}"]\` (1.1) asks for vector results as binary frames (see "Binary batches"),`,
    `   \`"${BINARY_REQUESTS}"\` (1.2) announces step / stepVector requests as binary frames (see "Binary requests").`,
    '2. `make {envId, options, seed}` → `made` with a handle and the spaces, or `makeVector {envId, n}` → `vectorMade`.',
    '   A connection may hold many envs.',
    '3. `reset {handle, seed?}`, then `step {handle, action}` (single) or `stepVector {handle, actions}` (vector;',
    '   same-step auto-reset, so no reset is needed between episodes).',
    '4. `close {handle}`; closing the connection closes its envs. An env without a request for the idle',
    `   timeout (\`recgym serve --idle-timeout\`, default ${SERVER_DEFAULTS.idleTimeoutMs / 1000} s) is closed too; its handle then answers`,
    '   `RECGYM_ERR_ENV_CLOSED`.',
    '',
    `Limits: a frame over the message limit (${mib(SERVER_DEFAULTS.maxMessageBytes)}) is answered by \`RECGYM_ERR_FRAME_TOO_LARGE\`; one over`,
    `\`maxPayload\` (${mib(SERVER_DEFAULTS.maxPayload)}) closes the connection with code 1009. At most ${SERVER_DEFAULTS.maxEnvs} envs are open per connection`,
    `and ${SERVER_DEFAULTS.maxVectorEnvs} slots per vector env (\`RECGYM_ERR_TOO_MANY_ENVS\`); an env whose observations would take the`,
    `connection's open envs over ${SERVER_DEFAULTS.maxObservationNumbers} numbers per step (all slots) is \`RECGYM_ERR_BAD_OPTION\`. A server that is not on loopback requires`,
    'a token (`--token-file`). While a connection does not read its responses, the server stops reading',
    'its requests (backpressure) instead of buffering them.',
    'With `recgym serve --rate-messages N` and/or `--rate-bytes N`, each connection gets a token bucket of N',
    'requests (bytes) per second with a burst of one second: a request over it is not run but answered',
    '`RECGYM_ERR_RATE_LIMITED` with `retryAfterMs`, the milliseconds after which it would be admitted (and',
    "the request's id when the frame is at most 16 KiB, else null); a refused request costs nothing and the",
    'connection stays usable. A frame larger than a second of bytes passes on a full bucket and leaves it',
    'in debt. No limit by default.',
    `A connection without a successful hello ${SERVER_DEFAULTS.helloTimeoutMs / 1000} s after opening is closed (1008); the server pings every`,
    `${SERVER_DEFAULTS.heartbeatMs / 1000} s and cuts a connection that showed no sign of life (a frame or a pong) since the last ping.`,
    '',
    '## Client messages',
    '',
    ...ClientMessageSchema.options.map((o) => messageSection(o, 'input')),
    '## Server messages',
    '',
    ...ServerMessageSchema.options.map((o) => messageSection(o, 'output')),
    SPACES,
    BINARY,
    SCALE_OUT,
    '## Error codes',
    '',
    '| code | sent for |',
    '| --- | --- |',
    ...errors,
    '',
  ].join('\n');
}
