import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { workersFlag } from '../../src/cli/serve.js';
import { ErrorCode } from '../../src/core/errors.js';
import { RESTART_DEFAULTS } from '../../src/server/worker-pool.js';
import { PROTOCOL_VERSION, type ServerMessage } from '../../src/server/protocol.js';
import { runCli } from '../helpers/collecting-io.js';
import { openClient, type TestClient } from './helpers.js';
import { BIN, startServeProcess, type ServeProcess } from './serve-process.js';

const ENV_ID = 'Tianchi-Replay-C20-v0';

interface Greeted {
  readonly client: TestClient;
  readonly worker: number;
  readonly pid: number;
}

async function greet(url: string, token?: string): Promise<Greeted> {
  const client = await openClient(url);
  const welcome = (await client.request({ type: 'hello', protocol: PROTOCOL_VERSION, token })) as Extract<ServerMessage, { type: 'welcome' }>;
  expect(welcome.type).toBe('welcome');
  const server = welcome.server as { pid: number; worker: number };
  return { client, worker: server.worker, pid: server.pid };
}

/** Connections opened until one is served by each of `workers` (round-robin hands them out in turn; 8 tries per worker). */
async function onEachWorker(url: string, workers: number[], token?: string): Promise<Map<number, Greeted>> {
  const found = new Map<number, Greeted>();
  for (let tries = 0; tries < 8 * workers.length && found.size < workers.length; tries++) {
    const greeted = await greet(url, token);
    if (workers.includes(greeted.worker) && !found.has(greeted.worker)) found.set(greeted.worker, greeted);
    else await greeted.client.close();
  }
  expect([...found.keys()].sort()).toEqual(workers);
  return found;
}

/** Observations, rewards and flags of `steps` steps after a seeded make and reset. */
async function episodeTrace(client: TestClient, seed: number, steps: number): Promise<unknown[]> {
  const made = (await client.request({ type: 'make', envId: ENV_ID, seed })) as { handle: number };
  const trace: unknown[] = [await client.request({ type: 'reset', handle: made.handle })];
  for (let i = 0; i < steps; i++) {
    const result = (await client.request({ type: 'step', handle: made.handle, action: (i * 7) % 20 })) as { terminated: boolean; truncated: boolean };
    trace.push(result);
    if (result.terminated || result.truncated) trace.push(await client.request({ type: 'reset', handle: made.handle }));
  }
  return trace.map((message) => ({ ...(message as object), id: undefined }));
}

async function until<T>(what: string, probe: () => T | undefined, timeoutMs = 15_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const value = probe();
    if (value !== undefined) return value;
    if (Date.now() > end) throw new Error(`expected ${what} within ${timeoutMs} ms, actual none`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe('recgym serve --workers', () => {
  let dir: string;
  let serve: ServeProcess;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'recgym-workers-'));
    writeFileSync(join(dir, 'token'), 's3cret\n');
    serve = await startServeProcess(['--workers', '2', '--token-file', join(dir, 'token')]);
  });
  afterAll(async () => {
    await serve?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('logs listening once, from the primary, with the port every worker shares; each line names its process', () => {
    const listening = serve.lines.filter((l) => l.msg === 'listening');
    expect(listening).toHaveLength(1);
    const [primary] = listening;
    expect(primary).toMatchObject({ pid: serve.child.pid, workers: 2, token: true, url: `ws://127.0.0.1:${primary.port}` });
    expect(primary.port).toBeGreaterThan(0);
    expect(primary.worker).toBeUndefined();
    const workers = serve.lines.filter((l) => l.msg === 'worker listening');
    expect(workers.map((l) => l.worker).sort()).toEqual([1, 2]);
    expect(workers.map((l) => l.pid).sort()).toEqual([...(primary.workerPids as number[])].sort());
    for (const line of workers) expect(line.port).toBe(primary.port);
  });

  it('spreads connections over both workers, each asking for the token, and says which one serves in welcome.server', async () => {
    const greeted = await Promise.all(Array.from({ length: 8 }, () => greet(serve.url, 's3cret')));
    const pids = serve.lines.find((l) => l.msg === 'listening')?.workerPids as number[];
    expect(new Set(greeted.map((g) => g.worker))).toEqual(new Set([1, 2]));
    for (const g of greeted) expect(pids).toContain(g.pid);
    const refused = await Promise.all(
      Array.from({ length: 8 }, async () => {
        const client = await openClient(serve.url);
        const answer = await client.request({ type: 'hello', protocol: PROTOCOL_VERSION, token: 'wrong' });
        await client.close();
        return answer;
      }),
    );
    for (const answer of refused) expect(answer).toMatchObject({ type: 'error', code: ErrorCode.UNAUTHENTICATED });
    await Promise.all(greeted.map((g) => g.client.close()));
  });

  it("gives a connection's make {seed} the same episodes whichever worker serves it", async () => {
    const found = await onEachWorker(serve.url, [1, 2], 's3cret');
    const [one, two] = [found.get(1), found.get(2)] as Greeted[];
    const [traceOne, traceTwo] = await Promise.all([episodeTrace(one.client, 7, 60), episodeTrace(two.client, 7, 60)]);
    expect(traceOne.length).toBeGreaterThan(60);
    expect(traceTwo).toEqual(traceOne);
    const other = await episodeTrace(two.client, 8, 60);
    expect(other).not.toEqual(traceOne);
    await Promise.all([one.client.close(), two.client.close()]);
  });
});

describe('recgym serve --workers: failures and shutdown', () => {
  it('restarts a killed worker; the other worker keeps its connections and the server keeps answering', async () => {
    const running = await startServeProcess(['--workers', '2']);
    try {
      const found = await onEachWorker(running.url, [1, 2]);
      const survivor = found.get(2) as Greeted;
      const made = (await survivor.client.request({ type: 'make', envId: ENV_ID, seed: 3 })) as { handle: number };
      await survivor.client.request({ type: 'reset', handle: made.handle });
      const killed = (found.get(1) as Greeted).pid;
      process.kill(killed, 'SIGKILL');
      const restarted = await until('a restarted worker 1', () => running.lines.find((l) => l.msg === 'worker restarted' && l.worker === 1));
      expect(running.lines.find((l) => l.msg === 'worker exited')).toMatchObject({ worker: 1, workerPid: killed, signal: 'SIGKILL' });
      expect(restarted.workerPid).not.toBe(killed);
      expect(isAlive(killed)).toBe(false);
      expect(await survivor.client.request({ type: 'step', handle: made.handle, action: 1 })).toMatchObject({ type: 'stepResult' });
      const again = await onEachWorker(running.url, [1, 2]);
      expect((again.get(1) as Greeted).pid).toBe(restarted.workerPid);
      const port = running.lines.find((l) => l.msg === 'listening')?.port;
      expect(running.lines.filter((l) => l.msg === 'worker listening' && l.worker === 1).map((l) => l.port)).toEqual([port, port]);
      for (const g of [...found.values(), ...again.values()]) await g.client.close();
    } finally {
      expect(await running.stop()).toBe(0);
    }
  });

  it('closes every worker, its envs and its connections, and exits 0, on SIGTERM and on SIGINT', async () => {
    for (const signal of ['SIGTERM', 'SIGINT'] as const) {
      const running = await startServeProcess(['--workers', '2']);
      const found = await onEachWorker(running.url, [1, 2]);
      for (const g of found.values()) await g.client.request({ type: 'make', envId: ENV_ID, seed: 1 });
      expect(await running.stop(signal)).toBe(0);
      for (const g of found.values()) {
        expect(await g.client.closed).toEqual({ code: 1001, reason: 'server shutting down' });
        expect(isAlive(g.pid)).toBe(false);
      }
      const closedBy = running.lines.filter((l) => l.msg === 'server closed').map((l) => l.worker ?? 0);
      expect(closedBy.sort()).toEqual([0, 1, 2]);
      expect(running.lines.find((l) => l.msg === 'workers closed')).toMatchObject({ isClean: true });
    }
  });

  it('exits 0 when the signal comes while a worker restarts (it closes once it listens)', async () => {
    const running = await startServeProcess(['--workers', '2']);
    const pids = running.lines.find((l) => l.msg === 'listening')?.workerPids as number[];
    process.kill(pids[0], 'SIGKILL');
    await until('the restart', () => running.lines.find((l) => l.msg === 'restarting worker'));
    await new Promise((resolve) => setTimeout(resolve, 150));
    expect(await running.stop()).toBe(0);
    expect(running.lines.find((l) => l.msg === 'workers closed')).toMatchObject({ isClean: true });
    expect(running.lines.filter((l) => l.msg === 'worker killed: not closed in time')).toEqual([]);
  });

  it('stops restarting a worker that keeps dying, and exits 1 once no worker is left', async () => {
    const running = await startServeProcess(['--workers', '2']);
    const started = (worker: number) => running.lines.filter((l) => l.msg === 'worker listening' && l.worker === worker);
    const gaveUp = (worker: number) => running.lines.some((l) => l.msg === 'worker not restarted: it exited too often' && l.worker === worker);
    const keepKilling = async (worker: number) => {
      for (let kills = 0; !gaveUp(worker); kills++) {
        expect(kills).toBeLessThanOrEqual(RESTART_DEFAULTS.maxRestarts);
        const seen = started(worker);
        process.kill(seen[seen.length - 1].pid as number, 'SIGKILL');
        await until(`worker ${worker} restarted or given up`, () => (started(worker).length > seen.length || gaveUp(worker) ? true : undefined));
      }
    };
    await Promise.all([keepKilling(1), keepKilling(2)]);
    expect(await until('the primary to exit by itself', () => running.child.exitCode ?? undefined)).toBe(1);
    expect(running.lines.filter((l) => l.msg === 'worker exited')).toHaveLength(2 * (RESTART_DEFAULTS.maxRestarts + 1));
    expect(running.lines.find((l) => l.msg === 'no worker left')).toMatchObject({ level: 60 });
  }, 60_000);

  it('ends its workers when the primary is killed', async () => {
    const running = await startServeProcess(['--workers', '2']);
    const pids = running.lines.find((l) => l.msg === 'listening')?.workerPids as number[];
    expect(pids.every(isAlive)).toBe(true);
    expect(await running.stop('SIGKILL')).toBeNull();
    await until('both workers gone', () => (pids.some(isAlive) ? undefined : true));
  });

  it('applies --rate-messages and --idle-timeout in every worker', async () => {
    const running = await startServeProcess(['--workers', '2', '--rate-messages', '5', '--idle-timeout', '1']);
    try {
      const found = await onEachWorker(running.url, [1, 2]);
      for (const { client } of found.values()) {
        const made = (await client.request({ type: 'make', envId: ENV_ID, seed: 1 })) as { handle: number };
        for (let i = 0; i < 12; i++) client.send({ type: 'reset', id: 100 + i, handle: made.handle });
        const answers = await Promise.all(Array.from({ length: 12 }, () => client.next()));
        expect(answers.filter((a) => a.type === 'error').map((a) => (a as { code: string }).code)).toContain(ErrorCode.RATE_LIMITED);
        await new Promise((resolve) => setTimeout(resolve, 2500));
        expect(await client.request({ type: 'step', handle: made.handle, action: 0 })).toMatchObject({ type: 'error', code: ErrorCode.ENV_CLOSED });
      }
      for (const g of found.values()) await g.client.close();
    } finally {
      expect(await running.stop()).toBe(0);
    }
  });

  it('refuses a bad --workers (exit 2) and reports a worker that cannot start once (exit 1)', async () => {
    expect(workersFlag('auto')).toBe(Math.min(64, availableParallelism()));
    expect(workersFlag(undefined)).toBe(1);
    for (const value of ['0', '65', 'x', '1.5', '']) {
      const result = await runCli(['serve', '--workers', value]);
      expect(result.code, value).toBe(2);
      expect(result.stderr).toMatch(new RegExp(`--workers: expected an integer >= 1 and <= 64 or auto, actual "${value.replace('.', '\\.')}"`));
    }
    const failed = spawnSync(process.execPath, [BIN, 'serve', '--port', '0', '--workers', '2', '--data', '/nonexistent/log.csv'], { encoding: 'utf8' });
    expect(failed.status).toBe(1);
    expect(failed.stderr.match(/log\.csv/g)).toHaveLength(1);
    expect(failed.stderr).not.toMatch(/\n\s+at /);
    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const port = (blocker.address() as { port: number }).port;
    try {
      const inUse = spawnSync(process.execPath, [BIN, 'serve', '--port', String(port), '--workers', '2', '--log-level', 'warn'], { encoding: 'utf8' });
      expect(inUse.status).toBe(1);
      expect(inUse.stderr).toBe(`recgym serve: listen 127.0.0.1:${port}: expected a free port on a local address, actual the port is in use\n`);
    } finally {
      blocker.close();
    }
  });
});
