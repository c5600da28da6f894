import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ErrorCode, RecGymError } from '../../src/core/errors.js';
import { createRng } from '../../src/core/rng.js';
import { readEventLog } from '../../src/data/read-event-log.js';
import { checkEnv } from '../../src/env/check-env.js';
import { listEnvs, makeEnv } from '../../src/env/registry.js';
import { RemoteConnection, RemoteEnv, RemoteError, RemoteVectorEnv } from '../../src/server/client.js';
import { expectType } from '../../src/server/remote-connection.js';
import { SyncSocket } from '../../src/server/sync-socket.js';
import { runCli } from '../helpers/collecting-io.js';
import { testServer } from './helpers.js';
import { startServeProcess, type ServeProcess } from './serve-process.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const TOKEN = 'test-token-0123456789';
let dir: string;
let tokenFile: string;
let serve: ServeProcess;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'recgym-serve-'));
  tokenFile = join(dir, 'token');
  writeFileSync(tokenFile, `${TOKEN}\n`);
  serve = await startServeProcess(['--token-file', tokenFile, '--idle-timeout', '2']);
});

afterAll(async () => {
  await serve?.stop();
  rmSync(dir, { recursive: true, force: true });
});

function codeOf(body: () => unknown): string | undefined {
  try {
    body();
  } catch (error) {
    return error instanceof RecGymError ? error.code : `not a RecGymError: ${String(error)}`;
  }
  return undefined;
}

describe('RemoteEnv', () => {
  it('passes checkEnv on every registered env, in its single and its vector form', () => {
    const connection = RemoteConnection.open(serve.url, { token: TOKEN });
    try {
      for (const { id } of listEnvs()) {
        const single = checkEnv(RemoteEnv.make(connection, id), { rolloutSteps: 60 });
        expect(single.checks.filter((c) => !c.passed), `${id} single`).toEqual([]);
        const vector = checkEnv(RemoteVectorEnv.make(connection, id, 3), { rolloutSteps: 40 });
        expect(vector.checks.filter((c) => !c.passed), `${id} vector`).toEqual([]);
      }
    } finally {
      connection.close();
    }
  });

  it('rolls out as the local env with the same seed', () => {
    const remote = RemoteEnv.connect(serve.url, 'Tianchi-Slate-v0', { token: TOKEN, seed: 4, options: { historyLength: 6 } });
    const local = makeEnv('Tianchi-Slate-v0', { seed: 4, historyLength: 6 });
    expect(remote.reset()).toEqual(local.reset());
    const slate = Int32Array.from(local.actionSpace.sample(createRng(2)) as Int32Array);
    for (let t = 0; t < 5; t++) {
      const expected = local.step(slate);
      expect(remote.step(slate)).toEqual(expected);
      if (expected.terminated || expected.truncated) break;
    }
    remote.close();
    expect(codeOf(() => remote.reset())).toBe(ErrorCode.CLOSED);
  });

  it('gets the same results with binary frames (binary-batches, binary-requests) as with JSON, for every registered env, single and vector', () => {
    const binary = RemoteConnection.open(serve.url, { token: TOKEN });
    const json = RemoteConnection.open(serve.url, { token: TOKEN, capabilities: [] });
    /** `value` as its JSON form: typed arrays as arrays (NaN as null), which is how the JSON protocol sends info. */
    const asJson = (value: unknown) => JSON.parse(JSON.stringify(value, (_key, inner) => (ArrayBuffer.isView(inner) ? Array.from(inner as Float64Array) : inner)));
    try {
      expect(binary.welcome.capabilities).toEqual(expect.arrayContaining(['binary-batches', 'binary-requests']));
      expect([binary.isBinaryRequests, json.isBinaryRequests]).toEqual([true, false]);
      for (const { id } of listEnvs()) {
        const envs = [RemoteVectorEnv.make(binary, id, 4, { seed: 3 }), RemoteVectorEnv.make(json, id, 4, { seed: 3 })];
        const resets = envs.map((env) => env.reset({ seed: 5 }));
        expect(resets[0].observations, id).toEqual(resets[1].observations);
        expect((resets[0].info as Record<string, unknown>).episodes, id).toBeInstanceOf(Int32Array);
        expect(asJson(resets[0].info), id).toEqual(resets[1].info);
        const actions = envs[0].createActions();
        const rng = createRng(`${id}:actions`);
        for (let t = 0; t < 30; t++) {
          for (let slot = 0; slot < 4; slot++) envs[0].setAction(actions, slot, envs[0].singleActionSpace.sample(rng));
          const [viaBinary, viaJson] = envs.map((env) => env.step(actions));
          expect({ ...viaBinary, info: undefined }, `${id} step ${t}`).toEqual({ ...viaJson, info: undefined });
          expect((viaBinary.info as Record<string, unknown>).episodeReturns, id).toBeInstanceOf(Float64Array);
          expect(asJson(viaBinary.info), `${id} step ${t} info`).toEqual(viaJson.info);
        }
        for (const env of envs) env.close();
        const singles = [RemoteEnv.make(binary, id, { seed: 3 }), RemoteEnv.make(json, id, { seed: 3 })];
        expect(singles[0].reset({ seed: 6 }), id).toEqual(singles[1].reset({ seed: 6 }));
        for (let t = 0; t < 30; t++) {
          const action = singles[0].actionSpace.sample(rng);
          const [viaBinary, viaJson] = singles.map((env) => env.step(action));
          expect(viaBinary, `${id} single step ${t}`).toEqual(viaJson);
          if (viaJson.terminated || viaJson.truncated) expect(singles[0].reset(), id).toEqual(singles[1].reset());
        }
        for (const env of singles) env.close();
      }
      // the binary frames did arrive as binary: a JSON-only socket reads the same request's answer as bytes
      const socket = SyncSocket.connect(serve.url);
      socket.send(JSON.stringify({ type: 'hello', id: 1, protocol: '1.1.0', token: TOKEN, capabilities: ['binary-batches'] }));
      socket.receive();
      socket.send(JSON.stringify({ type: 'makeVector', id: 2, envId: 'Tianchi-Replay-v0', n: 2 }));
      socket.receive();
      socket.send(JSON.stringify({ type: 'reset', id: 3, handle: 1 }));
      const frame = socket.receive();
      expect(frame).toBeInstanceOf(Uint8Array);
      expect(Buffer.from(frame as Uint8Array).subarray(0, 4).toString('latin1')).toBe('RGB1');
      socket.close();
    } finally {
      binary.close();
      json.close();
    }
  });

  it("throws the server's codes: RESET_NEEDED, UNKNOWN_ENV, BAD_OPTION, UNAUTHENTICATED", () => {
    const connection = RemoteConnection.open(serve.url, { token: TOKEN });
    const env = RemoteEnv.make(connection, 'Tianchi-Replay-v0');
    expect(codeOf(() => env.step(0))).toBe(ErrorCode.RESET_NEEDED);
    expect(codeOf(() => env.step(7))).toBe(ErrorCode.INVALID_ACTION);
    expect(codeOf(() => RemoteEnv.make(connection, 'Nope-v0'))).toBe(ErrorCode.UNKNOWN_ENV);
    try {
      RemoteVectorEnv.make(connection, 'Tianchi-Replay-v0', 2, { options: { historyLength: -1 } });
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(RemoteError);
      expect((error as RemoteError).code).toBe(ErrorCode.BAD_OPTION);
      expect((error as RemoteError).message).toMatch(/historyLength/);
    }
    connection.close();
    expect(codeOf(() => RemoteConnection.open(serve.url))).toBe(ErrorCode.UNAUTHENTICATED);
    expect(codeOf(() => RemoteConnection.open(serve.url, { token: 'wrong' }))).toBe(ErrorCode.UNAUTHENTICATED);
  });

  it('pipelines: many requests sent before reading come back in order', () => {
    const connection = RemoteConnection.open(serve.url, { token: TOKEN });
    const env = RemoteEnv.make(connection, 'Tianchi-Replay-v0', { seed: 6 });
    const local = makeEnv('Tianchi-Replay-v0', { seed: 6 });
    local.reset();
    const requests = [{ type: 'reset', handle: env.handle } as const, ...Array.from({ length: 40 }, (_, t) => ({ type: 'step', handle: env.handle, action: t % 5 }) as const)];
    const responses = connection.pipeline(requests);
    expect(responses.map((r) => r.type)[0]).toBe('resetResult');
    let isActive = true;
    responses.slice(1).forEach((response, t) => {
      if (!isActive) return expect(response).toMatchObject({ type: 'error', code: ErrorCode.RESET_NEEDED });
      const expected = local.step(t % 5);
      isActive = !(expected.terminated || expected.truncated);
      expect(response).toMatchObject({ type: 'stepResult', reward: expected.reward, info: { episodeStep: expected.info.episodeStep } });
    });
    connection.close();
  });

  it('serves the log of --data FILE', async () => {
    const file = join(dir, 'small.csv');
    expect((await runCli(['generate', '--out', file, '--users', '40', '--days', '6'])).code).toBe(0);
    const running = await startServeProcess(['--data', file]);
    try {
      const { store } = await readEventLog(file);
      const local = makeEnv('Tianchi-Replay-v0', { store, seed: 1 });
      const remote = RemoteEnv.connect(running.url, 'Tianchi-Replay-v0', { seed: 1 });
      expect(remote.reset()).toEqual(local.reset());
      expect(remote.step(2)).toEqual(local.step(2));
      remote.close();
    } finally {
      await running.stop();
    }
  });

  it('throws ENV_CLOSED once the server closed the env for idleness', async () => {
    const env = RemoteEnv.connect(serve.url, 'Tianchi-Replay-v0', { token: TOKEN });
    env.reset();
    await new Promise((resolve) => setTimeout(resolve, 3000));
    expect(codeOf(() => env.step(0))).toBe(ErrorCode.ENV_CLOSED);
    env.close();
  });

  it('gives up on a server that does not answer in time and closes the socket (a late answer cannot be taken for the next)', async () => {
    const silent = spawn(process.execPath, ['-e', "const { WebSocketServer } = require('ws'); const s = new WebSocketServer({ port: 0, host: '127.0.0.1' }, () => console.log(s.address().port));"], {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    try {
      const port = await new Promise<string>((resolve) => silent.stdout?.once('data', (chunk) => resolve(String(chunk).trim())));
      const socket = SyncSocket.connect(`ws://127.0.0.1:${port}`, { timeoutMs: 2000 });
      socket.send('{"id": 1, "type": "hello", "protocol": "1.0.0"}');
      expect(codeOf(() => socket.receive())).toBe(ErrorCode.CONNECTION);
      expect(socket.isOpen).toBe(false);
      expect(codeOf(() => RemoteConnection.open(`ws://127.0.0.1:${port}`, { timeoutMs: 2000 }))).toBe(ErrorCode.CONNECTION);
    } finally {
      silent.kill();
    }
  });

  it('refuses a server of its own thread instead of blocking it, and reports a refused connection', async () => {
    const { server } = await testServer();
    try {
      expect(() => RemoteEnv.connect(server.url, 'Tianchi-Replay-v0')).toThrow(/expected a server in another thread or process/);
    } finally {
      await server.close();
    }
    const port = await freePort();
    expect(codeOf(() => RemoteEnv.connect(`ws://127.0.0.1:${port}`, 'Tianchi-Replay-v0', { timeoutMs: 5000 }))).toBe(ErrorCode.CONNECTION);
  });
});

describe('recgym serve', () => {
  it('closes every env and connection and exits 0 on SIGTERM and on SIGINT', async () => {
    for (const signal of ['SIGTERM', 'SIGINT'] as const) {
      const running = await startServeProcess(['--log-level', 'debug']);
      const env = RemoteEnv.connect(running.url, 'Tianchi-Replay-v0');
      env.reset({ seed: 1 });
      expect(await running.stop(signal)).toBe(0);
      const messages = running.lines.map((l) => l.msg);
      expect(messages).toEqual(expect.arrayContaining(['signal received', 'shutting down', 'server closed']));
      expect(running.lines.find((l) => l.msg === 'connection closed')).toMatchObject({ code: 1001, reason: 'server shutting down' });
      expect(codeOf(() => env.step(0))).toBe(ErrorCode.CONNECTION);
      env.close();
    }
  });

  it('limits each connection to --rate-messages requests per second; RemoteError carries retryAfterMs', async () => {
    const limited = await startServeProcess(['--rate-messages', '3']);
    try {
      const connection = RemoteConnection.open(limited.url);
      const made = connection.request({ type: 'make', envId: 'Tianchi-Replay-C20-v0' }, 'made');
      // 20 requests at once: at most 3 a second (plus the burst) get through, the last is refused however slow this machine is
      const answers = connection.pipeline(Array.from({ length: 20 }, () => ({ type: 'reset', handle: made.handle })));
      const refused = answers.find((a) => a.type === 'error');
      expect(refused).toMatchObject({ type: 'error', code: ErrorCode.RATE_LIMITED, retryAfterMs: expect.any(Number) });
      try {
        expectType(answers[19], 'resetResult');
        expect.unreachable();
      } catch (error) {
        expect(error).toMatchObject({ code: ErrorCode.RATE_LIMITED, retryAfterMs: expect.any(Number) });
        const waitMs = (error as RemoteError).retryAfterMs as number;
        Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, waitMs + 5);
      }
      expect(connection.request({ type: 'reset', handle: made.handle }, 'resetResult').type).toBe('resetResult');
      connection.close();
    } finally {
      await limited.stop();
    }
  });

  it('refuses bad flags (exit 2) and unusable files or ports (exit 1) with one line', async () => {
    const cases: Array<[string[], number, RegExp]> = [
      [['--host', '0.0.0.0'], 2, /--host 0\.0\.0\.0: expected --token-file when the host is not loopback/],
      [['--port', '70000'], 2, /--port: expected an integer >= 0 and <= 65535, actual "70000"/],
      [['--log-level', 'loud'], 2, /--log-level: expected one of trace, debug, info, warn, error, fatal, silent, actual "loud"/],
      [['--idle-timeout', '0'], 2, /--idle-timeout: expected an integer >= 1/],
      [['--rate-messages', '0'], 2, /--rate-messages: expected an integer >= 1, actual "0"/],
      [['--rate-bytes', '1.5'], 2, /--rate-bytes: expected an integer >= 1, actual "1.5"/],
      [['--token-file', join(dir, 'missing')], 1, /--token-file .*missing: expected a readable file/],
      [['--data', join(dir, 'missing.csv')], 1, /missing\.csv/],
    ];
    writeFileSync(join(dir, 'empty'), '\n');
    cases.push([['--token-file', join(dir, 'empty')], 1, /--token-file .*empty:1: expected a token on the first line, actual an empty line/]);
    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const port = (blocker.address() as { port: number }).port;
    cases.push([['--port', String(port), '--log-level', 'silent'], 1, new RegExp(`listen 127\\.0\\.0\\.1:${port}: expected a free port on a local address, actual the port is in use`)]);
    try {
      for (const [args, code, message] of cases) {
        const result = await runCli(['serve', ...args]);
        expect(result.code, args.join(' ')).toBe(code);
        expect(result.stderr).toMatch(message);
        expect(result.stderr).not.toMatch(/\n\s+at /);
      }
    } finally {
      blocker.close();
    }
  });
});

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const probe = createServer();
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => resolve(port));
    });
  });
}
