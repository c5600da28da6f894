import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RESTART_DEFAULTS, restartDelay, startWorkerPool, WorkerStartError } from '../../src/server/worker-pool.js';
import { logSink } from './helpers.js';

// Stand-ins for the CLI a pool forks: each tells the primary it listens (or not), then behaves badly.
const SCRIPTS = {
  crashes: "process.send({ recgym: 'listening', port: 4321 });\nsetTimeout(() => process.exit(3), 30);\n",
  failsToStart: 'process.exit(5);\n',
  ignoresShutdown: "process.send({ recgym: 'listening', port: 4321 });\nsetInterval(() => {}, 1000);\n",
  closes: "process.send({ recgym: 'listening', port: 4321 });\nprocess.on('message', (m) => { if (m.recgym === 'shutdown') process.disconnect(); });\n",
};

describe('restartDelay', () => {
  it('doubles from the base delay with each exit in the window, up to the cap, and gives up past maxRestarts', () => {
    const policy = { maxRestarts: 4, windowMs: 60_000, baseDelayMs: 100, maxDelayMs: 500 };
    expect([1, 2, 3, 4, 5].map((exits) => restartDelay(policy, exits))).toEqual([100, 200, 400, 500, undefined]);
    expect(restartDelay(RESTART_DEFAULTS, RESTART_DEFAULTS.maxRestarts + 1)).toBeUndefined();
  });
});

describe('startWorkerPool', () => {
  let dir: string;
  const script = (name: keyof typeof SCRIPTS) => join(dir, `${name}.mjs`);
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'recgym-pool-'));
    for (const [name, text] of Object.entries(SCRIPTS)) writeFileSync(join(dir, `${name}.mjs`), text);
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('restarts a worker that exits with a doubling delay, and stops after maxRestarts exits in the window', async () => {
    const { lines, logger } = logSink();
    const pool = await startWorkerPool({ workers: 1, exec: script('crashes'), args: [], port: 0, logger, restart: { maxRestarts: 2, baseDelayMs: 10 } });
    expect(pool.port).toBe(4321);
    await pool.exhausted;
    expect(lines.filter((l) => l.msg === 'worker exited').map((l) => l.code)).toEqual([3, 3, 3]);
    expect(lines.filter((l) => l.msg === 'restarting worker').map((l) => l.delayMs)).toEqual([10, 20]);
    expect(lines.filter((l) => l.msg === 'worker restarted')).toHaveLength(2);
    expect(lines.find((l) => l.msg === 'worker not restarted: it exited too often')).toMatchObject({ worker: 1, exits: 3 });
    expect(pool.pids).toEqual([]);
    expect(await pool.close()).toBe(true);
  });

  it('rejects with the exit code of a worker that exits before it listens', async () => {
    const { logger } = logSink();
    const started = startWorkerPool({ workers: 2, exec: script('failsToStart'), args: [], port: 0, logger });
    await expect(started).rejects.toBeInstanceOf(WorkerStartError);
    await expect(started).rejects.toMatchObject({ exitCode: 5 });
  });

  it('closes workers that leave on the shutdown note (true), and kills one that ignores it after the grace (false)', async () => {
    const { logger } = logSink();
    const polite = await startWorkerPool({ workers: 2, exec: script('closes'), args: [], port: 0, logger });
    expect(polite.pids).toHaveLength(2);
    expect(await polite.close()).toBe(true);
    const { lines, logger: stubbornLogger } = logSink();
    const stubborn = await startWorkerPool({ workers: 1, exec: script('ignoresShutdown'), args: [], port: 0, logger: stubbornLogger, shutdownGraceMs: 200 });
    expect(await stubborn.close()).toBe(false);
    expect(lines.find((l) => l.msg === 'worker killed: not closed in time')).toMatchObject({ graceMs: 200 });
  });

  it('refuses a worker count outside 1..64', async () => {
    const { logger } = logSink();
    for (const workers of [0, 65, 1.5]) await expect(startWorkerPool({ workers, exec: script('closes'), args: [], port: 0, logger })).rejects.toThrow(/expected workers 1\.\.64/);
  });
});
