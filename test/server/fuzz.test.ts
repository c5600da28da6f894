import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ErrorCode } from '../../src/core/errors.js';
import { createRng, type Rng } from '../../src/core/rng.js';
import { makeEnv } from '../../src/env/registry.js';
import { encodeBinaryRequest } from '../../src/server/binary-request.js';
import { BINARY_BATCHES, BINARY_REQUESTS, MAX_NESTING, PROTOCOL_VERSION, type ServerMessage } from '../../src/server/protocol.js';
import type { RecGymServer } from '../../src/server/server.js';
import { encodeValue } from '../../src/server/wire.js';
import { greetedClient, logSink, openClient, type TestClient } from './helpers.js';
import { startServer } from '../../src/server/server.js';

const FRAMES = 10_000;
const BATCH = 500;
const MAX_MESSAGE_BYTES = 4096;
const MAX_PAYLOAD = 16_384;

/** A frame and the id its error frame must carry (null when the frame has no valid id). */
interface Fuzzed {
  readonly data: string | Buffer;
  readonly isBinary: boolean;
  /** Undefined for a mutated binary request, whose id may or may not have survived. */
  readonly id: string | number | null | undefined;
}

const HUGE = [1e308, -1e308, 2 ** 64, 2 ** 53 + 2, -(2 ** 63), 1e-320, 0.5, -1];
const WRONG = (rng: Rng): unknown => {
  const kinds: Array<() => unknown> = [
    () => HUGE[rng.nextInt(HUGE.length)],
    () => 'x'.repeat(rng.nextInt(40)),
    () => null,
    () => true,
    () => [1, [2, [3]], { a: null }],
    () => ({ nested: { deeper: [HUGE[rng.nextInt(HUGE.length)]] } }),
    () => Array.from({ length: rng.nextInt(50) }, () => rng.next() * 1e12),
  ];
  return kinds[rng.nextInt(kinds.length)]();
};

/** A message that must be refused: each template breaks at least one rule of the protocol or the env. */
function invalidMessage(rng: Rng, id: number, singleHandle: number): Record<string, unknown> {
  const unknownHandle = 1_000_000 + rng.nextInt(1_000_000);
  const templates: Array<() => Record<string, unknown>> = [
    () => ({ type: `fuzz-${rng.nextInt(1000)}`, handle: singleHandle }),
    () => ({ type: 'hello', protocol: ['2.0.0', '0.9.1', 'one', PROTOCOL_VERSION.replace(/^\d+/, '9')][rng.nextInt(4)] }),
    () => ({ type: 'make', envId: `Fuzz-${rng.nextInt(1e6)}-v0`, seed: rng.nextInt(100) }),
    () => ({ type: 'make', envId: 'Tianchi-Replay-v0', options: { numCandidates: WRONG(rng), [`fuzz${rng.nextInt(9)}`]: 1 } }),
    () => ({ type: 'make', envId: WRONG(rng) }),
    () => ({ type: 'makeVector', envId: 'Tianchi-Replay-v0', n: [0, -5, 1e9, 1e300, 2.5][rng.nextInt(5)] }),
    () => ({ type: 'reset', handle: unknownHandle, seed: rng.nextInt(9) }),
    () => ({ type: 'reset', handle: WRONG(rng) }),
    () => ({ type: 'reset', handle: singleHandle, seed: { not: 'a seed' } }),
    () => ({ type: 'step', handle: singleHandle, action: rng.nextInt(2) === 0 ? WRONG(rng) : rng.nextInt(5) }),
    () => ({ type: 'step', handle: unknownHandle, action: 0 }),
    () => ({ type: 'stepVector', handle: singleHandle, actions: [rng.nextInt(5)] }),
    () => ({ type: 'stepVector', handle: singleHandle, actions: [HUGE[rng.nextInt(3)]] }),
    () => ({ type: 'close', handle: unknownHandle }),
    () => ({ type: 'close', handle: WRONG(rng) }),
  ];
  return { id, ...templates[rng.nextInt(templates.length)]() };
}

function randomBytes(rng: Rng, length: number): Buffer {
  const out = Buffer.alloc(length);
  for (let i = 0; i < length; i++) out[i] = rng.nextInt(256);
  return out;
}

/**
 * A binary request (the fuzzer announced binary-requests) that must be refused, with random bytes
 * overwritten: a step or stepVector on the single env, which is never reset (RESET_NEEDED at best).
 */
function mutatedBinaryRequest(rng: Rng, id: number, singleHandle: number): Buffer {
  const actions = Array.from({ length: rng.nextInt(4) }, () => (rng.nextInt(2) === 0 ? rng.nextInt(5) : rng.nextInt(2 ** 31) - rng.nextInt(2 ** 31)));
  const frame = Buffer.from(encodeBinaryRequest({ type: rng.nextInt(2) === 0 ? 'step' : 'stepVector', id, handle: singleHandle, actions }));
  for (let k = rng.nextInt(4); k > 0; k--) frame[rng.nextInt(frame.length)] = rng.nextInt(256);
  return rng.nextInt(8) === 0 ? frame.subarray(0, rng.nextInt(frame.length)) : frame;
}

/** One fuzzed frame: binary junk, a mutated binary request, random text or bytes, broken JSON, an invalid message, a bad id, JSON nested too deep, or a frame over the message limit. */
function fuzzFrame(rng: Rng, n: number, singleHandle: number): Fuzzed {
  const id = n;
  switch (rng.nextInt(8)) {
    case 0:
      return { data: randomBytes(rng, 1 + rng.nextInt(200)), isBinary: true, id: null };
    case 1:
      return { data: rng.nextInt(2) === 0 ? randomBytes(rng, 1 + rng.nextInt(200)).toString('latin1') : randomBytes(rng, 1 + rng.nextInt(200)), isBinary: false, id: null };
    case 2: {
      const text = JSON.stringify(invalidMessage(rng, id, singleHandle));
      return { data: text.slice(0, rng.nextInt(text.length - 1)), isBinary: false, id: null };
    }
    case 3: {
      const message = invalidMessage(rng, id, singleHandle);
      delete message.id;
      const badId = [-1, 1.5, '', { id: 1 }, 'x'.repeat(200), 2 ** 60][rng.nextInt(6)];
      return { data: JSON.stringify({ ...message, id: badId }), isBinary: false, id: null };
    }
    case 6: {
      const depth = MAX_NESTING + 1 + rng.nextInt(500);
      const open = rng.nextInt(2) === 0 ? '['.repeat(depth) : '{"a":'.repeat(depth);
      const close = open.startsWith('[') ? ']'.repeat(depth) : '}'.repeat(depth);
      return { data: `{"id": ${id}, "type": "step", "handle": ${singleHandle}, "action": ${open}1${close}}`, isBinary: false, id: null };
    }
    case 4:
      return { data: JSON.stringify({ ...invalidMessage(rng, id, singleHandle), padding: 'p'.repeat(MAX_MESSAGE_BYTES) }), isBinary: false, id: null };
    case 7:
      return { data: mutatedBinaryRequest(rng, id, singleHandle), isBinary: true, id: undefined };
    default:
      return { data: JSON.stringify(invalidMessage(rng, id, singleHandle)), isBinary: false, id };
  }
}

let server: RecGymServer;

beforeAll(async () => {
  server = await startServer({ port: 0, logger: logSink('info').logger, maxMessageBytes: MAX_MESSAGE_BYTES, maxPayload: MAX_PAYLOAD });
});

afterAll(async () => {
  await server.close();
});

/** Steps a well-formed session and checks every answer against the local env. */
async function wellFormedSteps(client: TestClient, handle: number, local: ReturnType<typeof makeEnv>, steps: number): Promise<void> {
  for (let t = 0; t < steps; t++) {
    const expected = local.step(t % 5);
    const response = await client.request({ type: 'step', handle, action: t % 5 });
    expect(response).toMatchObject({ type: 'stepResult', reward: expected.reward, observation: encodeValue(local.observationSpace, expected.observation) });
    if (expected.terminated || expected.truncated) {
      const reset = await client.request({ type: 'reset', handle });
      expect(reset).toMatchObject({ observation: encodeValue(local.observationSpace, local.reset().observation) });
    }
  }
}

describe('fuzz', () => {
  it(`answers ${FRAMES} random and mutated frames with one error frame each; a well-formed session beside them is unaffected`, async () => {
    const rng = createRng('fuzz');
    const fuzzer = await openClient(server.url);
    await fuzzer.request({ type: 'hello', protocol: PROTOCOL_VERSION, capabilities: [BINARY_BATCHES, BINARY_REQUESTS] });
    const stranger = await openClient(server.url);
    const made = await fuzzer.request({ type: 'make', envId: 'Tianchi-Replay-v0' });
    const singleHandle = (made as { handle: number }).handle;
    const good = await greetedClient(server.url);
    const goodHandle = (await good.request({ type: 'make', envId: 'Tianchi-Replay-v0', seed: 9 }) as { handle: number }).handle;
    const local = makeEnv('Tianchi-Replay-v0', { seed: 9 });
    local.reset();
    await good.request({ type: 'reset', handle: goodHandle });

    const codes = new Map<string, number>();
    for (let sent = 0; sent < FRAMES; sent += BATCH) {
      const batch: Fuzzed[] = [];
      for (let i = 0; i < BATCH; i++) batch.push(fuzzFrame(rng, sent + i, singleHandle));
      const target = sent % 2000 === 0 ? stranger : fuzzer;
      for (const frame of batch) target.ws.send(frame.data, { binary: frame.isBinary });
      const stepping = wellFormedSteps(good, goodHandle, local, 20);
      for (const frame of batch) {
        const response: ServerMessage = await target.next();
        expect(response.type, JSON.stringify(response)).toBe('error');
        const error = response as Extract<ServerMessage, { type: 'error' }>;
        if (frame.id !== undefined) expect(error.id).toBe(frame.id);
        codes.set(error.code, (codes.get(error.code) ?? 0) + 1);
      }
      await stepping;
    }
    for (const code of [
      ErrorCode.BAD_FRAME,
      ErrorCode.FRAME_TOO_LARGE,
      ErrorCode.UNKNOWN_MESSAGE,
      ErrorCode.INVALID_MESSAGE,
      ErrorCode.HELLO_REQUIRED,
      ErrorCode.PROTOCOL_MISMATCH,
      ErrorCode.UNKNOWN_ENV,
      ErrorCode.BAD_OPTION,
      ErrorCode.UNKNOWN_HANDLE,
      ErrorCode.WRONG_HANDLE_KIND,
      ErrorCode.RESET_NEEDED,
      ErrorCode.INVALID_ACTION,
      ErrorCode.TOO_MANY_ENVS,
    ]) {
      expect(codes.get(code) ?? 0, code).toBeGreaterThan(0);
    }
    expect(codes.get(ErrorCode.INTERNAL)).toBeUndefined();
    expect([...codes.values()].reduce((a, b) => a + b, 0)).toBe(FRAMES);

    const oversized = await greetedClient(server.url);
    oversized.ws.send(Buffer.alloc(MAX_PAYLOAD + 1, 0x7b));
    expect((await oversized.closed).code).toBe(1009);
    await wellFormedSteps(good, goodHandle, local, 10);
    expect((await fuzzer.request({ type: 'reset', handle: singleHandle })).type).toBe('resetResult');
    fuzzer.send(encodeBinaryRequest({ type: 'step', id: 77, handle: singleHandle, actions: [0] }));
    expect(await fuzzer.next()).toMatchObject({ type: 'stepResult', id: 77 });
    const newcomer = await greetedClient(server.url);
    expect((await newcomer.request({ type: 'make', envId: 'Tianchi-Slate-v0' })).type).toBe('made');
    for (const client of [fuzzer, stranger, good, newcomer]) await client.close();
  });
});
