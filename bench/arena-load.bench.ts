import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { WebSocket } from 'ws';
import { PROTOCOL_VERSION } from '../src/server/protocol.js';
import { createDefaultEventStore } from '../src/sim/default-data.js';
import type { BenchSuite, Figure } from './lib.js';
import { closedLoop, LoadClient, memoryMb, percentile } from './server-load.bench.js';

const BIN = fileURLToPath(new URL('../src/cli/main.js', import.meta.url));
const ENV_ID = 'Tianchi-Replay-C20-v0';

/** `recgym arena` with simulated shoppers stepping as fast as it answers, in a child process. */
function startArena(db: string, shoppers: number, paceMs: number): Promise<{ url: string; child: ChildProcess }> {
  const args = [BIN, 'arena', '--db', db, '--port', '0', '--simulated', String(shoppers), '--pace-ms', String(paceMs), '--log-level', 'info'];
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'inherit'] });
  return new Promise((resolve, reject) => {
    let buffered = '';
    child.stdout?.on('data', (chunk) => {
      buffered += chunk;
      const match = /"url":"(http:\/\/[^"]+)"/.exec(buffered);
      if (match) {
        child.stdout?.removeAllListeners('data');
        child.stdout?.resume();
        resolve({ url: match[1], child });
      }
    });
    child.once('exit', (code) => reject(new Error(`recgym arena exited with ${code} before opening`)));
  });
}

/** An external agent: registers as a policy and answers every `recommend` at once with `items`. */
async function externalAgent(url: string, name: string, items: number[]): Promise<WebSocket> {
  const ws = new WebSocket(url, { perMessageDeflate: false });
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('error', reject);
  });
  let id = 1;
  ws.on('message', (data: Buffer) => {
    const message = JSON.parse(data.toString()) as { type: string; requestId?: string };
    if (message.type === 'recommend') ws.send(JSON.stringify({ type: 'recommendation', id: id++, requestId: message.requestId, items }));
  });
  ws.send(JSON.stringify({ type: 'hello', id: id++, protocol: PROTOCOL_VERSION }));
  ws.send(JSON.stringify({ type: 'registerPolicy', id: id++, name }));
  return ws;
}

/** One measured run of the arena: `shoppers` simulated shoppers `paceMs` apart, `connections` websocket clients; figures keyed under `prefix`. */
async function phase(prefix: string, shoppers: number, paceMs: number, connections: number, durationMs: number, quick: boolean, log: (line: string) => void): Promise<Figure[]> {
  const dir = mkdtempSync(join(tmpdir(), 'recgym-arena-bench-'));
  const db = join(dir, 'arena.db');
  const { url, child } = await startArena(db, shoppers, paceMs);
  const pid = child.pid as number;
  try {
    const wsUrl = url.replace(/^http/, 'ws');
    const store = createDefaultEventStore();
    const popular = Array.from({ length: 20 }, (_, i) => store.itemIds.rawOf(i));
    const agents = [await externalAgent(wsUrl, 'agent-a', popular), await externalAgent(wsUrl, 'agent-b', popular.slice().reverse())];
    const clients = await Promise.all(Array.from({ length: connections - agents.length }, () => LoadClient.open(wsUrl)));
    const handles = new Map<LoadClient, number>();
    for (const client of clients) {
      const made = await client.request({ type: 'make', envId: ENV_ID, seed: handles.size });
      handles.set(client, made.handle as number);
      await client.request({ type: 'reset', handle: made.handle });
    }
    await new Promise((resolve) => setTimeout(resolve, quick ? 300 : 2000));
    const reader = new Database(db, { readonly: true });
    const lastImpression = () => Number(reader.prepare('SELECT COALESCE(MAX(id), 0) FROM impressions').pluck().get());
    const from = lastImpression();
    const started = performance.now();
    let action = 0;
    const steps = await closedLoop(clients, durationMs, async (client) => {
      const handle = handles.get(client);
      const result = await client.request({ type: 'step', handle, action: action++ % 20 });
      if (result.terminated || result.truncated) await client.request({ type: 'reset', handle });
    });
    const seconds = (performance.now() - started) / 1000;
    const to = lastImpression();
    const waits = reader.prepare('SELECT MAX(latency_ms) FROM impression_policies WHERE impression_id > ? AND impression_id <= ? GROUP BY impression_id').pluck().all(from, to) as number[];
    const [requests, misses] = reader.prepare('SELECT COUNT(*), COALESCE(SUM(missed), 0) FROM impression_policies WHERE impression_id > ? AND impression_id <= ?').raw().get(from, to) as number[];
    const events = Number(reader.prepare('SELECT COUNT(*) FROM events WHERE impression_id > ? AND impression_id <= ?').pluck().get(from, to));
    reader.close();
    for (const client of clients) client.close();
    for (const agent of agents) agent.close();
    const pace = paceMs === 0 ? 'without pause' : `one step per ${paceMs} ms each`;
    log(`  ${prefix}: ${shoppers} simulated shoppers ${pace}, ${connections} websocket clients (2 external policies), ${to - from} impressions in ${seconds.toFixed(1)} s`);
    const sorted = Float64Array.from(waits).sort();
    return [
      { key: `${prefix}.impressionsPerSec`, value: (to - from) / seconds, unit: 'impressions/s', what: `${shoppers} simulated shoppers ${pace}, ${connections} websocket clients on the same port` },
      { key: `${prefix}.eventsPerSec`, value: events / seconds, unit: 'events/s', what: 'events committed (each acknowledged after its commit)' },
      { key: `${prefix}.policyWait.p50Ms`, value: percentile(sorted, 0.5), unit: 'ms', what: "an impression's slowest policy answer, median" },
      { key: `${prefix}.policyWait.p99Ms`, value: percentile(sorted, 0.99), unit: 'ms', what: "an impression's slowest policy answer, 99th percentile" },
      { key: `${prefix}.deadlineMissRate`, value: requests > 0 ? misses / requests : 0, unit: 'share', what: `policy requests past the 100 ms deadline (${misses} of ${requests})` },
      { key: `${prefix}.ws.stepsPerSec`, value: steps.count / steps.seconds, unit: 'steps/s', what: `${clients.length} websocket clients stepping replay envs meanwhile` },
      { key: `${prefix}.ws.p99Ms`, value: percentile(steps.latencies, 0.99), unit: 'ms', what: 'their step round trip, 99th percentile' },
      { key: `${prefix}.peakRssMb`, value: memoryMb(pid).peak, unit: 'MB', what: 'arena process peak resident memory' },
    ];
  } finally {
    child.kill('SIGTERM');
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * The arena under load on loopback (arena in a child process, load here, both on this machine's
 * cores): S simulated shoppers while C websocket clients use the same port — 2 of them external
 * agents registered as policies, the others stepping replay envs — first with the shoppers stepping
 * as fast as the arena answers (saturated), then at the pace of docs/arena.md (one step a second
 * each). Impressions/s and deadline misses are read from the db over the measured window; the p99
 * is of each impression's slowest policy answer.
 */
export const suite: BenchSuite = {
  name: 'arena-load',
  async run({ quick, log }) {
    const shoppers = quick ? 20 : 200;
    const connections = quick ? 6 : 50;
    const durationMs = quick ? 1500 : 10_000;
    return [
      ...(await phase('arena', shoppers, 0, connections, durationMs, quick, log)),
      ...(await phase('arena.paced', shoppers, 1000, connections, durationMs, quick, log)),
    ];
  },
};
