import { afterEach, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { ErrorCode } from '../../src/core/errors.js';
import { createRng } from '../../src/core/rng.js';
import { makeEnv, makeVectorEnv } from '../../src/env/registry.js';
import type { VectorRecommendationEnv } from '../../src/env/vector-env.js';
import { encodeBinaryFrame } from '../../src/server/binary-frame.js';
import { encodeBinaryRequest } from '../../src/server/binary-request.js';
import { PROTOCOL_VERSION, type ServerMessage } from '../../src/server/protocol.js';
import { startServer, type RecGymServer } from '../../src/server/server.js';
import { encodeBatch, encodeValue } from '../../src/server/wire.js';
import { greetedClient, openClient, testServer, type TestClient } from './helpers.js';

let server: RecGymServer | undefined;
const clients: TestClient[] = [];

afterEach(async () => {
  for (const client of clients.splice(0)) client.ws.terminate();
  await server?.close();
  server = undefined;
});

async function start(options: Parameters<typeof testServer>[0] = {}) {
  const started = await testServer(options);
  server = started.server;
  return started;
}

async function greeted(token?: string): Promise<TestClient> {
  const client = await greetedClient(server!.url, token);
  clients.push(client);
  return client;
}

async function raw(): Promise<TestClient> {
  const client = await openClient(server!.url);
  clients.push(client);
  return client;
}

function expectError(message: ServerMessage, code: string, id: unknown = expect.anything()) {
  expect(message).toMatchObject({ type: 'error', code, id });
}

async function made(client: TestClient, frame: Record<string, unknown>): Promise<number> {
  const response = await client.request(frame);
  if (response.type !== 'made' && response.type !== 'vectorMade') throw new Error(`expected made, actual ${JSON.stringify(response)}`);
  return response.handle;
}

describe('startServer', () => {
  describe('#hello', () => {
    it('welcomes a client of the same version with the registered envs', async () => {
      await start();
      const client = await raw();
      const welcome = await client.request({ type: 'hello', protocol: PROTOCOL_VERSION, capabilities: ['single'] });
      expect(welcome).toMatchObject({ type: 'welcome', id: 1, protocol: PROTOCOL_VERSION, warnings: [], server: { pid: process.pid, worker: 0 } });
      expect((welcome as { envs: Array<{ id: string }> }).envs.map((e) => e.id)).toContain('Tianchi-Replay-v0');
    });

    it('warns about a different minor version and refuses a different major one', async () => {
      await start();
      const client = await raw();
      expectError(await client.request({ type: 'hello', protocol: '2.0.0' }), ErrorCode.PROTOCOL_MISMATCH, 1);
      expectError(await client.request({ type: 'make', envId: 'Tianchi-Replay-v0' }), ErrorCode.HELLO_REQUIRED, 2);
      const welcome = await client.request({ type: 'hello', protocol: '1.7.0' });
      expect(welcome.type).toBe('welcome');
      expect((welcome as { warnings: string[] }).warnings[0]).toBe(`client protocol 1.7.0, server ${PROTOCOL_VERSION}: features of the other minor version are not available`);
      expectError(await client.request({ type: 'hello', protocol: PROTOCOL_VERSION }), ErrorCode.INVALID_MESSAGE, 4);
    });

    it('asks for the token when the server has one', async () => {
      await start({ token: 's3cret-token' });
      const client = await raw();
      const missing = await client.request({ type: 'hello', protocol: PROTOCOL_VERSION });
      expect(missing).toMatchInlineSnapshot(`
        {
          "code": "RECGYM_ERR_UNAUTHENTICATED",
          "id": 1,
          "message": "hello.token: expected the server's token, actual none",
          "type": "error",
        }
      `);
      expectError(await client.request({ type: 'hello', protocol: PROTOCOL_VERSION, token: 's3cret-tokeN' }), ErrorCode.UNAUTHENTICATED, 2);
      expectError(await client.request({ type: 'reset', handle: 1 }), ErrorCode.HELLO_REQUIRED, 3);
      expect((await client.request({ type: 'hello', protocol: PROTOCOL_VERSION, token: 's3cret-token' })).type).toBe('welcome');
    });

    it('refuses a host that is not loopback without a token', async () => {
      await expect(start({ host: '0.0.0.0' })).rejects.toThrow(/expected a token when the host is not loopback, actual host 0\.0\.0\.0/);
    });
  });

  describe('single envs', () => {
    it('makes, resets, steps and closes an env as the local env does', async () => {
      await start();
      const client = await greeted();
      const response = await client.request({ type: 'make', envId: 'Tianchi-Replay-v0', seed: 7 });
      expect(response).toMatchObject({ type: 'made', handle: 1, envId: 'Tianchi-Replay-v0', actionSpace: { kind: 'Discrete', n: 5, start: 0 } });
      expect((response as { observationSpace: { kind: string; spaces: object } }).observationSpace.kind).toBe('Dict');
      const local = makeEnv('Tianchi-Replay-v0', { seed: 7 });
      const localReset = local.reset();
      const reset = await client.request({ type: 'reset', handle: 1 });
      expect(reset).toMatchObject({ type: 'resetResult', handle: 1, observation: encodeValue(local.observationSpace, localReset.observation), info: localReset.info });
      for (const action of [0, 3, 1]) {
        const expected = local.step(action);
        const step = await client.request({ type: 'step', handle: 1, action });
        expect(step).toMatchObject({
          type: 'stepResult',
          observation: encodeValue(local.observationSpace, expected.observation),
          reward: expected.reward,
          terminated: expected.terminated,
          truncated: expected.truncated,
          info: expected.info,
        });
        if (expected.terminated || expected.truncated) break;
      }
      expect(await client.request({ type: 'close', handle: 1 })).toMatchObject({ type: 'closed', handle: 1 });
      expectError(await client.request({ type: 'step', handle: 1, action: 0 }), ErrorCode.ENV_CLOSED);
      expectError(await client.request({ type: 'close', handle: 1 }), ErrorCode.ENV_CLOSED);
    });

    it('takes slates as arrays and reset options', async () => {
      await start();
      const client = await greeted();
      const handle = await made(client, { type: 'make', envId: 'Tianchi-Slate-v0', options: { historyLength: 4 } });
      const reset = await client.request({ type: 'reset', handle, seed: 1, options: { episode: 3 } });
      expect(reset).toMatchObject({ type: 'resetResult', info: { episode: 3 } });
      expect((reset as unknown as { observation: { items: number[] } }).observation.items).toHaveLength(4);
      const local = makeEnv('Tianchi-Slate-v0', { historyLength: 4 });
      local.reset({ seed: 1, options: { episode: 3 } });
      const slate = Array.from(local.actionSpace.sample(createRng(1)) as Int32Array);
      const step = await client.request({ type: 'step', handle, action: slate });
      expect(step).toMatchObject({ type: 'stepResult', reward: local.step(Int32Array.from(slate)).reward });
    });
  });

  describe('vector envs', () => {
    it('makes, resets and steps every slot as the local vector env does', async () => {
      await start();
      const client = await greeted();
      const response = await client.request({ type: 'makeVector', envId: 'Tianchi-Replay-C20-v0', n: 3, seed: 2 });
      expect(response).toMatchObject({ type: 'vectorMade', numEnvs: 3, singleActionSpace: { kind: 'Discrete', n: 20 } });
      const handle = (response as { handle: number }).handle;
      const local = makeVectorEnv<VectorRecommendationEnv>('Tianchi-Replay-C20-v0', { numEnvs: 3, seed: 2 });
      const space = local.singleObservationSpace;
      const localReset = local.reset();
      const reset = await client.request({ type: 'reset', handle });
      const slotOf = (batch: typeof localReset.observations) => (slot: number) => local.observationAt(batch, slot);
      expect(reset).toMatchObject({ type: 'vectorResetResult', observations: encodeBatch(space, 3, localReset.observations, slotOf(localReset.observations)) });
      expect((reset as { observations: Record<string, unknown> }).observations).not.toHaveProperty('states');
      for (let t = 0; t < 30; t++) {
        const actions = [t % 20, (t * 7) % 20, 19];
        const expected = local.step(Int32Array.from(actions));
        const step = await client.request({ type: 'stepVector', handle, actions });
        expect(step).toMatchObject({
          type: 'vectorStepResult',
          rewards: Array.from(expected.rewards),
          terminations: Array.from(expected.terminations),
          truncations: Array.from(expected.truncations),
          observations: encodeBatch(space, 3, expected.observations, slotOf(expected.observations)),
          info: { episodeLengths: Array.from(expected.info.episodeLengths) },
        });
      }
    });

    it('refuses single requests on a vector handle and the reverse', async () => {
      await start();
      const client = await greeted();
      const single = await made(client, { type: 'make', envId: 'Tianchi-Replay-v0' });
      const vector = await made(client, { type: 'makeVector', envId: 'Tianchi-Replay-v0', n: 2 });
      expectError(await client.request({ type: 'step', handle: vector, action: 0 }), ErrorCode.WRONG_HANDLE_KIND);
      expectError(await client.request({ type: 'stepVector', handle: single, actions: [0] }), ErrorCode.WRONG_HANDLE_KIND);
      expectError(await client.request({ type: 'reset', handle: vector, options: { episode: 1 } }), ErrorCode.BAD_OPTION);
    });
  });

  describe('binary batches (1.1)', () => {
    async function vectorSession(hello: Record<string, unknown>): Promise<{ client: TestClient; welcome: ServerMessage; handle: number }> {
      const client = await raw();
      const welcome = await client.request({ type: 'hello', ...hello });
      const handle = await made(client, { type: 'makeVector', envId: 'Tianchi-Replay-C20-v0', n: 3, seed: 2 });
      return { client, welcome, handle };
    }

    it('sends vector results as binary frames to a 1.1 client that asks, with the JSON results in them', async () => {
      await start();
      const binary = await vectorSession({ protocol: '1.1.0', capabilities: ['binary-batches'] });
      const json = await vectorSession({ protocol: '1.1.0' });
      expect(binary.welcome).toMatchObject({ type: 'welcome', protocol: PROTOCOL_VERSION, warnings: [expect.stringMatching(/^client protocol 1\.1\.0, server /)] });
      expect((binary.welcome as { capabilities: string[] }).capabilities).toContain('binary-batches');
      const requests = [{ type: 'reset' }, ...Array.from({ length: 20 }, (_, t) => ({ type: 'stepVector', actions: [t % 20, (t * 7) % 20, 19] }))];
      for (const request of requests) {
        const viaBinary = await binary.client.request({ ...request, handle: binary.handle });
        const viaJson = await json.client.request({ ...request, handle: json.handle });
        expect(binary.client.binary.has(viaBinary), request.type).toBe(true);
        expect(json.client.binary.has(viaJson)).toBe(false);
        const asJson = JSON.parse(JSON.stringify(viaBinary, (_key, value) => (ArrayBuffer.isView(value) ? Array.from(value as Float32Array) : value)));
        expect(asJson).toEqual(viaJson);
      }
    });

    it('answers a 1.0 client with JSON even when it lists binary-batches, with the minor-version warning', async () => {
      await start();
      const old = await vectorSession({ protocol: '1.0.0', capabilities: ['binary-batches'] });
      expect((old.welcome as { warnings: string[] }).warnings).toEqual([`client protocol 1.0.0, server ${PROTOCOL_VERSION}: features of the other minor version are not available`]);
      const reset = await old.client.request({ type: 'reset', handle: old.handle });
      const step = await old.client.request({ type: 'stepVector', handle: old.handle, actions: [0, 1, 2] });
      expect(old.client.binary.has(reset) || old.client.binary.has(step)).toBe(false);
      expect(step).toMatchObject({ type: 'vectorStepResult', rewards: [expect.any(Number), expect.any(Number), expect.any(Number)] });
    });

    it('answers a binary frame from a client (junk, truncated, or a well-formed batch frame) with an error frame; the connection stays usable', async () => {
      await start();
      const { client, handle } = await vectorSession({ protocol: '1.2.0', capabilities: ['binary-batches'] });
      const batch = encodeBinaryFrame({ type: 'stepVector', id: 9, handle, actions: Int32Array.of(0, 1, 2) });
      for (const frame of [Buffer.from([0xde, 0xad]), batch.subarray(0, 11), batch]) {
        client.ws.send(frame, { binary: true });
        const answer = await client.next();
        expectError(answer, ErrorCode.BAD_FRAME, null);
        expect(answer).toMatchObject({ message: 'expected a text frame of JSON, actual a binary frame' });
      }
      await client.request({ type: 'reset', handle });
      const step = await client.request({ type: 'stepVector', handle, actions: [0, 1, 2] });
      expect(client.binary.has(step)).toBe(true);
      expect(step).toMatchObject({ type: 'vectorStepResult', rewards: expect.any(Float32Array) });
    });
  });

  describe('binary requests (1.2)', () => {
    const BOTH = { protocol: PROTOCOL_VERSION, capabilities: ['binary-batches', 'binary-requests'] };

    async function twin(hello: Record<string, unknown>, make: Record<string, unknown>): Promise<{ client: TestClient; handle: number }> {
      const client = await raw();
      expect((await client.request({ type: 'hello', ...hello })).type).toBe('welcome');
      const handle = await made(client, make);
      await client.request({ type: 'reset', handle, seed: 4 });
      return { client, handle };
    }

    /** A message as the JSON protocol sends it: typed arrays as arrays. */
    const asJson = (value: unknown) => JSON.parse(JSON.stringify(value, (_key, inner) => (ArrayBuffer.isView(inner) ? Array.from(inner as Float64Array) : inner)));

    it('answers binary step and stepVector frames exactly as their JSON form, with info arrays typed in the binary results', async () => {
      await start();
      const vectorMake = { type: 'makeVector', envId: 'Tianchi-Slate-v0', n: 3, seed: 2 };
      const binary = await twin(BOTH, vectorMake);
      const json = await twin({ protocol: PROTOCOL_VERSION }, vectorMake);
      const local = makeVectorEnv<VectorRecommendationEnv>('Tianchi-Slate-v0', { seed: 2, numEnvs: 3 });
      local.reset({ seed: 4 });
      const rng = createRng('binary-requests');
      for (let t = 0; t < 20; t++) {
        const actions = local.createActions();
        for (let slot = 0; slot < 3; slot++) local.setAction(actions, slot, local.singleActionSpace.sample(rng));
        binary.client.send(encodeBinaryRequest({ type: 'stepVector', id: 100 + t, handle: binary.handle, actions }));
        const viaBinary = await binary.client.next();
        const viaJson = await json.client.request({ type: 'stepVector', handle: json.handle, actions: Array.from(actions) });
        expect(binary.client.binary.has(viaBinary)).toBe(true);
        expect(viaBinary).toMatchObject({ type: 'vectorStepResult', id: 100 + t, info: { episodes: expect.any(Int32Array), episodeReturns: expect.any(Float64Array) } });
        expect({ ...asJson(viaBinary), id: 0 }).toEqual({ ...viaJson, id: 0 });
      }
      const singleMake = { type: 'make', envId: 'Tianchi-Replay-C20-v0', seed: 5 };
      const single = await twin(BOTH, singleMake);
      const singleJson = await twin({ protocol: PROTOCOL_VERSION }, singleMake);
      for (let t = 0; t < 40; t++) {
        const action = (t * 7) % 20;
        single.client.send(encodeBinaryRequest({ type: 'step', id: t, handle: single.handle, actions: [action] }));
        const viaBinary = await single.client.next();
        const viaJson = await singleJson.client.request({ type: 'step', handle: singleJson.handle, action });
        expect(viaBinary).toMatchObject({ type: 'stepResult', id: t });
        expect({ ...viaBinary, id: 0 }).toEqual({ ...viaJson, id: 0 });
        if ((viaJson as { terminated: boolean; truncated: boolean }).terminated || (viaJson as { truncated: boolean }).truncated) {
          await single.client.request({ type: 'reset', handle: single.handle });
          await singleJson.client.request({ type: 'reset', handle: singleJson.handle });
        }
      }
    });

    it('answers malformed binary requests with stable codes and the id when readable; the connection stays usable', async () => {
      await start();
      const { client, handle } = await twin(BOTH, { type: 'makeVector', envId: 'Tianchi-Replay-C20-v0', n: 2, seed: 1 });
      const single = await made(client, { type: 'make', envId: 'Tianchi-Slate-v0' });
      const good = Buffer.from(encodeBinaryRequest({ type: 'stepVector', id: 7, handle, actions: [1, 2] }));
      const edit = (offset: number, write: (frame: Buffer) => void) => {
        const frame = Buffer.from(good);
        write(frame);
        return offset === -1 ? frame.subarray(0, frame.length - 1) : frame;
      };
      const frames = [
        Buffer.from([0xde, 0xad]),
        edit(0, (f) => f.write('XXXX', 0, 'latin1')),
        edit(8, (f) => f.writeDoubleLE(-1, 8)),
        edit(8, (f) => f.writeDoubleLE(1.5, 8)),
        edit(4, (f) => f.writeUInt32LE(9, 4)),
        edit(16, (f) => f.writeDoubleLE(0, 16)),
        edit(16, (f) => f.writeDoubleLE(Number.NaN, 16)),
        edit(28, (f) => f.writeUInt32LE(1, 28)),
        edit(24, (f) => f.writeUInt32LE(3, 24)),
        edit(-1, () => {}),
        edit(16, (f) => f.writeDoubleLE(99, 16)),
        edit(16, (f) => f.writeDoubleLE(single, 16)),
        edit(32, (f) => f.writeInt32LE(20, 32)),
        Buffer.from(encodeBinaryRequest({ type: 'step', id: 8, handle: single, actions: [1] })),
        Buffer.from(encodeBinaryRequest({ type: 'step', id: 9, handle, actions: [1] })),
      ];
      const answers: string[] = [];
      for (const frame of frames) {
        client.send(frame);
        const answer = (await client.next()) as Extract<ServerMessage, { type: 'error' }>;
        expect(answer.type).toBe('error');
        answers.push(`${answer.code} ${answer.id}: ${answer.message}`);
      }
      expect(answers).toMatchInlineSnapshot(`
        [
          "RECGYM_ERR_BAD_FRAME null: expected a binary request of at least 32 bytes starting with RGA1, actual 2 bytes without it",
          "RECGYM_ERR_BAD_FRAME null: expected a binary request of at least 32 bytes starting with RGA1, actual 40 bytes without it",
          "RECGYM_ERR_INVALID_MESSAGE null: binary request id (bytes 8–15): expected an integer 0 .. 2^53 - 1, actual -1",
          "RECGYM_ERR_INVALID_MESSAGE null: binary request id (bytes 8–15): expected an integer 0 .. 2^53 - 1, actual 1.5",
          "RECGYM_ERR_UNKNOWN_MESSAGE 7: binary request kind (bytes 4–7): expected 1 (step) or 2 (stepVector), actual 9",
          "RECGYM_ERR_INVALID_MESSAGE 7: stepVector.handle (bytes 16–23): expected an integer 1 .. 2^53 - 1, actual 0",
          "RECGYM_ERR_INVALID_MESSAGE 7: stepVector.handle (bytes 16–23): expected an integer 1 .. 2^53 - 1, actual NaN",
          "RECGYM_ERR_BAD_FRAME 7: stepVector: bytes 28–31: expected 0 (reserved), actual 1",
          "RECGYM_ERR_BAD_FRAME 7: stepVector: expected 32 + 4 × 3 actions = 44 bytes, actual 40",
          "RECGYM_ERR_BAD_FRAME 7: stepVector: expected 32 + 4 × 2 actions = 40 bytes, actual 39",
          "RECGYM_ERR_UNKNOWN_HANDLE 7: stepVector.handle: expected a handle made on this connection, actual 99",
          "RECGYM_ERR_WRONG_HANDLE_KIND 7: stepVector.handle: expected a vector env, actual single env 2 (use step)",
          "RECGYM_ERR_INVALID_ACTION 7: VectorRecommendationEnv.step: actions[0]: expected a candidate index in [0, 19], actual 20",
          "RECGYM_ERR_INVALID_ACTION 8: step.action: expected an array of 10 int32 numbers, actual Int32Array(1)",
          "RECGYM_ERR_WRONG_HANDLE_KIND 9: step.handle: expected a single env, actual vector env 1 (use stepVector)",
        ]
      `);
      const step = await client.request({ type: 'stepVector', handle, actions: [0, 1] });
      expect(step).toMatchObject({ type: 'vectorStepResult', rewards: expect.any(Float32Array) });
    });

    it('refuses binary frames from a client that did not announce binary-requests, and a 1.1 client gets info as JSON', async () => {
      await start();
      const { client, handle } = await twin({ protocol: PROTOCOL_VERSION, capabilities: ['binary-batches'] }, { type: 'makeVector', envId: 'Tianchi-Replay-C20-v0', n: 2 });
      client.send(Buffer.from(encodeBinaryRequest({ type: 'stepVector', id: 3, handle, actions: [1, 2] })));
      expect(await client.next()).toMatchObject({ type: 'error', id: null, code: ErrorCode.BAD_FRAME, message: 'expected a text frame of JSON, actual a binary frame' });
      const old = await twin({ protocol: '1.1.0', capabilities: ['binary-batches', 'binary-requests'] }, { type: 'makeVector', envId: 'Tianchi-Replay-C20-v0', n: 2 });
      old.client.send(Buffer.from(encodeBinaryRequest({ type: 'stepVector', id: 3, handle: old.handle, actions: [1, 2] })));
      expect(await old.client.next()).toMatchObject({ type: 'error', code: ErrorCode.BAD_FRAME });
      const step = await old.client.request({ type: 'stepVector', handle: old.handle, actions: [1, 2] });
      expect(old.client.binary.has(step)).toBe(true);
      expect((step as unknown as { info: { episodes: unknown } }).info.episodes).toEqual([expect.any(Number), expect.any(Number)]);
    });
  });

  describe('rate limits', () => {
    it('answers requests over the rate RATE_LIMITED with their id and retryAfterMs, without running them; the connection stays usable', async () => {
      let clockMs = 0;
      const { lines } = await start({ rateMessagesPerSec: 5, now: () => clockMs });
      const client = await raw();
      const neighbour = await raw();
      client.send({ id: 1, type: 'hello', protocol: PROTOCOL_VERSION });
      client.send({ id: 2, type: 'make', envId: 'Tianchi-Replay-C20-v0' });
      for (let id = 3; id <= 8; id++) client.send({ id, type: 'reset', handle: 1 });
      const answers = [];
      for (let i = 0; i < 8; i++) answers.push(await client.next());
      expect(answers.map((a) => a.type)).toEqual(['welcome', 'made', 'resetResult', 'resetResult', 'resetResult', 'error', 'error', 'error']);
      const refused = answers.slice(5) as Array<Extract<ServerMessage, { type: 'error' }>>;
      expect(refused.map((a) => [a.id, a.code])).toEqual([6, 7, 8].map((id) => [id, ErrorCode.RATE_LIMITED]));
      expect(refused[0].message).toMatch(/^expected at most 5 requests per second on this connection, actual more: retry after \d+ ms$/);
      const { retryAfterMs } = refused[0] as { retryAfterMs: number };
      // binary junk is refused before it is read, with the id when it has none readable
      client.send(Buffer.from([1, 2, 3]));
      expect(await client.next()).toMatchObject({ type: 'error', id: null, code: ErrorCode.RATE_LIMITED });
      // another connection has its own bucket
      expect((await neighbour.request({ type: 'hello', protocol: PROTOCOL_VERSION })).type).toBe('welcome');
      expect(retryAfterMs).toBe(200);
      clockMs += retryAfterMs - 1;
      expect(await client.request({ type: 'reset', handle: 1 })).toMatchObject({ type: 'error', code: ErrorCode.RATE_LIMITED, retryAfterMs: 1 });
      clockMs += 1;
      expect(await client.request({ type: 'reset', handle: 1 })).toMatchObject({ type: 'resetResult', handle: 1 });
      expect(lines.filter((l) => l.msg === 'rate limited').length).toBe(5);
    });

    it('limits request bytes per second', async () => {
      await start({ rateBytesPerSec: 200, now: () => 0 });
      const client = await raw();
      const hello = { id: 1, type: 'hello', protocol: PROTOCOL_VERSION, token: '' };
      hello.token = 'x'.repeat(150 - JSON.stringify(hello).length);
      expect(JSON.stringify(hello).length).toBe(150);
      client.send(hello);
      expect((await client.next()).type).toBe('welcome');
      client.send({ id: 3, type: 'make', envId: 'Tianchi-Replay-C20-v0', options: { padding: 'p'.repeat(16 << 10) } });
      expect(await client.next()).toMatchObject({ type: 'error', id: null, code: ErrorCode.RATE_LIMITED });
      client.send({ id: 2, type: 'make', envId: 'Tianchi-Replay-C20-v0' });
      expect(await client.next()).toMatchObject({
        type: 'error',
        id: 2,
        code: ErrorCode.RATE_LIMITED,
        message: expect.stringMatching(/^expected at most 200 bytes per second on this connection/),
      });
    });

    it('refuses rates that are not positive', async () => {
      await expect(startServer({ port: 0, rateMessagesPerSec: 0 })).rejects.toThrow('startServer: expected rateMessagesPerSec > 0, actual 0');
    });
  });

  describe('errors', () => {
    it('answers every bad request with its code, its id and the connection still usable', async () => {
      await start({ maxEnvs: 2, maxVectorEnvs: 8, maxObservationNumbers: 100_000 });
      const client = await greeted();
      const cases: Array<[unknown, string, unknown]> = [
        ['{"type": "make", ', ErrorCode.BAD_FRAME, null],
        ['[1, 2]', ErrorCode.BAD_FRAME, null],
        [Buffer.from([0xff, 0x00, 0x13]), ErrorCode.BAD_FRAME, null],
        [{ text: Buffer.from([0x7b, 0xc3, 0x28, 0x7d]) }, ErrorCode.BAD_FRAME, null],
        [`{"id": "deep", "type": "step", "handle": 1, "action": ${'['.repeat(20_000)}${']'.repeat(20_000)}}`, ErrorCode.BAD_FRAME, null],
        [`{"id": "deeper", "type": "make", "envId": "x", "options": {"a": ${'{"a": '.repeat(20_000)}1${'}'.repeat(20_000)}}}`, ErrorCode.BAD_FRAME, null],
        [{ id: 'a', type: 'teleport' }, ErrorCode.UNKNOWN_MESSAGE, 'a'],
        [{ id: 'b', type: 'make' }, ErrorCode.INVALID_MESSAGE, 'b'],
        [{ id: 'c', type: 'step', handle: 'one', action: 0 }, ErrorCode.INVALID_MESSAGE, 'c'],
        [{ id: -4, type: 'close', handle: 1 }, ErrorCode.INVALID_MESSAGE, null],
        [{ id: 'd', type: 'make', envId: 'Nope-v0' }, ErrorCode.UNKNOWN_ENV, 'd'],
        [{ id: 'e', type: 'make', envId: 'Tianchi-Replay-v0', options: { numCandidates: 0 } }, ErrorCode.BAD_OPTION, 'e'],
        [{ id: 'f', type: 'make', envId: 'Tianchi-Replay-v0', options: { store: {} } }, ErrorCode.BAD_OPTION, 'f'],
        [{ id: 'g', type: 'make', envId: 'Tianchi-Replay-v0', options: { colour: 'red' } }, ErrorCode.BAD_OPTION, 'g'],
        [{ id: 'h', type: 'step', handle: 99, action: 0 }, ErrorCode.UNKNOWN_HANDLE, 'h'],
        [{ id: 'i', type: 'makeVector', envId: 'Tianchi-Replay-v0', n: 9 }, ErrorCode.TOO_MANY_ENVS, 'i'],
        [{ id: 'i2', type: 'makeVector', envId: 'Tianchi-Replay-v0', n: 8, options: { historyLength: 100_000_000 } }, ErrorCode.BAD_OPTION, 'i2'],
        [{ id: 'i3', type: 'make', envId: 'Tianchi-Replay-v0', options: { historyLength: 1_000_000 } }, ErrorCode.BAD_OPTION, 'i3'],
        [{ id: 'i4', type: 'makeVector', envId: 'Tianchi-Replay-v0', n: 8, options: { historyLength: 1200 } }, 'vectorMade', 'i4'],
        [{ id: 'i5', type: 'make', envId: 'Tianchi-Replay-v0', options: { historyLength: 11_000 } }, ErrorCode.BAD_OPTION, 'i5'],
        [{ id: 'i6', type: 'close', handle: 1 }, 'closed', 'i6'],
        [{ id: 'j', type: 'make', envId: 'Tianchi-Replay-v0' }, 'made', 'j'],
        [{ id: 'k', type: 'step', handle: 2, action: 0 }, ErrorCode.RESET_NEEDED, 'k'],
        [{ id: 'l', type: 'reset', handle: 2 }, 'resetResult', 'l'],
        [{ id: 'm', type: 'step', handle: 2, action: 5 }, ErrorCode.INVALID_ACTION, 'm'],
        [{ id: 'n', type: 'step', handle: 2, action: [0] }, ErrorCode.INVALID_ACTION, 'n'],
        [{ id: 'o', type: 'step', handle: 2, action: 1e300 }, ErrorCode.INVALID_ACTION, 'o'],
        [{ id: 'p', type: 'stepVector', handle: 2, actions: [2 ** 40] }, ErrorCode.INVALID_MESSAGE, 'p'],
        [{ id: 'q', type: 'reset', handle: 2, options: { episode: -1 } }, ErrorCode.BAD_OPTION, 'q'],
        [{ id: 'r', type: 'make', envId: 'Tianchi-Replay-v0' }, 'made', 'r'],
        [{ id: 's', type: 'make', envId: 'Tianchi-Replay-v0' }, ErrorCode.TOO_MANY_ENVS, 's'],
        [{ id: 't', type: 'step', handle: 2, action: 2 }, 'stepResult', 't'],
      ];
      for (const [frame, code, id] of cases) {
        if (typeof frame === 'object' && frame !== null && 'text' in frame) client.ws.send((frame as { text: Buffer }).text, { binary: false });
        else client.send(frame);
        const response = await client.next();
        if (code.startsWith('RECGYM_ERR_')) expectError(response, code, id);
        else expect(response).toMatchObject({ type: code, id });
      }
    });

    it('lists the zod issues of a refused message', async () => {
      await start();
      const client = await greeted();
      expect(await client.request({ type: 'makeVector', envId: 7, n: 0 })).toMatchInlineSnapshot(`
        {
          "code": "RECGYM_ERR_INVALID_MESSAGE",
          "id": 2,
          "issues": [
            {
              "code": "invalid_type",
              "message": "Invalid input: expected string, received number",
              "path": [
                "envId",
              ],
            },
            {
              "code": "too_small",
              "message": "Too small: expected number to be >=1",
              "path": [
                "n",
              ],
            },
          ],
          "message": "makeVector: envId: Invalid input: expected string, received number",
          "type": "error",
        }
      `);
    });

    it('answers a frame over the message limit, and closes with 1009 over maxPayload without touching other connections', async () => {
      await start({ maxMessageBytes: 1000, maxPayload: 4000 });
      const victim = await greeted();
      const bystander = await greeted();
      const handle = await made(bystander, { type: 'make', envId: 'Tianchi-Replay-v0' });
      victim.send(JSON.stringify({ id: 1, type: 'hello', protocol: 'x'.repeat(2000) }));
      expectError(await victim.next(), ErrorCode.FRAME_TOO_LARGE, null);
      expect((await victim.request({ type: 'make', envId: 'Tianchi-Replay-v0' })).type).toBe('made');
      victim.send('x'.repeat(5000));
      expect((await victim.closed).code).toBe(1009);
      expect((await bystander.request({ type: 'reset', handle })).type).toBe('resetResult');
    });
  });

  describe('pipelining', () => {
    it('answers many requests sent before reading once each, in order', async () => {
      await start();
      const client = await greeted();
      const frames: Array<Record<string, unknown> | string> = [
        { id: 'make', type: 'make', envId: 'Tianchi-Replay-v0', seed: 3 },
        { id: 'reset', type: 'reset', handle: 1 },
      ];
      for (let t = 0; t < 300; t++) {
        frames.push(t % 50 === 7 ? `{"id": "broken-${t}"` : { id: `step-${t}`, type: 'step', handle: 1, action: t % 5 });
      }
      for (const frame of frames) client.send(frame);
      const responses: ServerMessage[] = [];
      for (let i = 0; i < frames.length; i++) responses.push(await client.next());
      expect(responses.map((r) => r.id)).toEqual(frames.map((f) => (typeof f === 'string' ? null : f.id)));
      const local = makeEnv('Tianchi-Replay-v0', { seed: 3 });
      local.reset();
      let isActive = true;
      responses.slice(2).forEach((response, i) => {
        const t = i;
        if (t % 50 === 7) return expect(response.type).toBe('error');
        if (!isActive) return expectError(response, ErrorCode.RESET_NEEDED);
        const expected = local.step(t % 5);
        isActive = !(expected.terminated || expected.truncated);
        expect(response).toMatchObject({ type: 'stepResult', reward: expected.reward, terminated: expected.terminated });
      });
    });
  });

  describe('pipelining, writes', () => {
    it("writes the answers to the requests of one read in one socket write, in order", async () => {
      await start();
      // the server's end of each connection: count its writes to the OS (Writable's _write / _writev)
      let writes = 0;
      server!.http.on('connection', (socket: import('node:net').Socket) => {
        const internals = socket as unknown as { _write: (...args: unknown[]) => void; _writev: (...args: unknown[]) => void };
        for (const name of ['_write', '_writev'] as const) {
          const original = internals[name].bind(socket);
          internals[name] = (...args: unknown[]) => {
            writes++;
            original(...args);
          };
        }
      });
      const client = await greeted();
      const handle = await made(client, { type: 'make', envId: 'Tianchi-Replay-v0', seed: 3 });
      await client.request({ type: 'reset', handle });
      writes = 0;
      // sent in one go: the server reads them in one or a few chunks of this test's single event loop
      const count = 200;
      for (let t = 0; t < count; t++) client.send({ id: t, type: 'step', handle, action: t % 5 });
      const responses: ServerMessage[] = [];
      for (let t = 0; t < count; t++) responses.push(await client.next());
      expect(responses.map((r) => r.id)).toEqual(Array.from({ length: count }, (_, t) => t));
      expect(writes).toBeGreaterThan(0);
      expect(writes).toBeLessThanOrEqual(count / 20);
    });
  });

  describe('idle envs', () => {
    it('closes an env idle past the timeout; its handle answers ENV_CLOSED', async () => {
      // the server's clock moves 40 ms per round, whatever this machine's load does to real timers
      let clockMs = 0;
      const { lines } = await start({ idleTimeoutMs: 100, now: () => clockMs });
      const client = await greeted();
      const idle = await made(client, { type: 'make', envId: 'Tianchi-Replay-v0' });
      const busy = await made(client, { type: 'make', envId: 'Tianchi-Replay-v0' });
      for (let i = 0; i < 8; i++) {
        clockMs += 40;
        // the idle sweep (every 25 ms of real time) sees this time before the busy env is used again
        await new Promise((resolve) => setTimeout(resolve, 60));
        expect((await client.request({ type: 'reset', handle: busy })).type).toBe('resetResult');
      }
      const response = await client.request({ type: 'reset', handle: idle });
      expectError(response, ErrorCode.ENV_CLOSED);
      expect((response as { message: string }).message).toMatch(/handle 1 closed after 0\.1 s without a request \(idle timeout\)/);
      expect(lines.some((l) => l.msg === 'env closed: idle timeout' && l.handle === idle && l.connectionId === 1)).toBe(true);
    });
  });

  describe('backpressure', () => {
    it('stops reading a connection that does not read its responses, then answers everything in order', async () => {
      const { lines } = await start({ highWaterBytes: 64 * 1024 });
      const client = await greeted();
      const handle = await made(client, { type: 'makeVector', envId: 'Tianchi-Replay-C20-v0', n: 64 });
      await client.request({ type: 'reset', handle });
      client.ws.pause();
      const count = 400;
      for (let i = 0; i < count; i++) client.send({ id: i, type: 'stepVector', handle, actions: new Array(64).fill(i % 20) });
      // However slow the machine, the server pauses once its unread answers pass the high-water mark.
      for (let waited = 0; waited < 20_000 && !lines.some((l) => l.msg === 'backpressure: reading paused'); waited += 50) await new Promise((resolve) => setTimeout(resolve, 50));
      expect(lines.find((l) => l.msg === 'backpressure: reading paused')).toBeDefined();
      client.ws.resume();
      for (let i = 0; i < count; i++) expect(await client.next()).toMatchObject({ type: 'vectorStepResult', id: i });
    });

    it("keeps every binary frame intact while the socket still holds it (a frame's memory is reused only once written out)", async () => {
      await start({ highWaterBytes: 256 * 1024 });
      const client = await raw();
      await client.request({ type: 'hello', protocol: PROTOCOL_VERSION, capabilities: ['binary-batches', 'binary-requests'] });
      const handle = await made(client, { type: 'makeVector', envId: 'Tianchi-Replay-C20-v0', n: 256, seed: 3 });
      await client.request({ type: 'reset', handle });
      const local = makeVectorEnv<VectorRecommendationEnv>('Tianchi-Replay-C20-v0', { seed: 3, numEnvs: 256 });
      local.reset();
      const expected: unknown[] = [];
      const take = (a: ArrayLike<number>) => Array.from(a);
      for (const paused of [true, false]) {
        if (paused) client.ws.pause();
        for (let i = 0; i < 120; i++) {
          const actions = Int32Array.from({ length: 256 }, (_, slot) => (i * 7 + slot) % 20);
          const result = local.step(actions);
          expected.push({ rewards: take(result.rewards), items: take(result.observations.items), final: take(result.finalObservations.candidates), episodes: take(result.info.episodes) });
          client.send(encodeBinaryRequest({ type: 'stepVector', id: i, handle, actions }));
        }
        if (paused) {
          await new Promise((resolve) => setTimeout(resolve, 200));
          client.ws.resume();
        }
        for (let i = 0; i < 120; i++) {
          const answer = (await client.next()) as unknown as { rewards: Float32Array; observations: Record<string, ArrayLike<number>>; finalObservations: Record<string, ArrayLike<number>>; info: Record<string, ArrayLike<number>> };
          expect(answer, `step ${i}`).toMatchObject({ type: 'vectorStepResult', id: i });
          expect({ rewards: take(answer.rewards), items: take(answer.observations.items), final: take(answer.finalObservations.candidates), episodes: take(answer.info.episodes) }).toEqual(
            expected.shift(),
          );
        }
      }
    });
  });

  describe('connections', () => {
    it('closes a connection that says no hello in time (1008) and cuts one that answers no ping', async () => {
      const { lines } = await start({ helloTimeoutMs: 100, heartbeatMs: 100 });
      const silent = await raw();
      const greetedLate = await raw();
      const mute = new WebSocket(server!.url, { autoPong: false });
      mute.on('error', () => {});
      const muteClosed = new Promise<number>((resolve) => mute.on('close', (code) => resolve(code)));
      mute.on('open', () => mute.send(JSON.stringify({ id: 1, type: 'hello', protocol: PROTOCOL_VERSION })));
      expect((await greetedLate.request({ type: 'hello', protocol: PROTOCOL_VERSION })).type).toBe('welcome');
      expect(await silent.closed).toEqual({ code: 1008, reason: 'expected a hello within 100 ms' });
      expect(await muteClosed).toBe(1006);
      expect(lines.some((l) => l.msg === 'connection cut: no pong')).toBe(true);
      await new Promise((resolve) => setTimeout(resolve, 350));
      expect(greetedLate.ws.readyState).toBe(WebSocket.OPEN);
    });

    it('refuses connections over maxConnections with 503 and plain HTTP with 426', async () => {
      const { lines } = await start({ maxConnections: 1 });
      await greeted();
      await expect(openClient(server!.url)).rejects.toThrow(/Unexpected server response: 503/);
      expect(lines.some((l) => l.msg === 'connection refused: server full or closing')).toBe(true);
      const response = await fetch(server!.url.replace('ws://', 'http://'));
      expect(response.status).toBe(426);
      expect(await response.json()).toMatchObject({ protocol: PROTOCOL_VERSION });
    });
  });

  describe('#close', () => {
    it('closes every env and connection, then stops listening', async () => {
      const { server: running, lines } = await start();
      const first = await greeted();
      const second = await greeted();
      await made(first, { type: 'make', envId: 'Tianchi-Replay-v0' });
      await running.close();
      expect((await first.closed).code).toBe(1001);
      expect((await second.closed).code).toBe(1001);
      expect(running.connections).toBe(0);
      await running.close();
      expect(lines.filter((l) => l.msg === 'server closed')).toHaveLength(1);
      await expect(openClient(running.url)).rejects.toThrow();
    });
  });
});
