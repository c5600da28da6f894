import { resolve } from 'node:path';
import { BINARY_BATCHES, BINARY_REQUESTS } from '../src/server/protocol.js';
import { closedLoop, cpuSeconds, LoadClient, percentile, singleStepPhase, startServer } from './server-load.bench.js';
import { runMain, upperMedian } from './lib.js';

/**
 * Interleaved A/B of two builds' `recgym serve` over loopback: each round starts build A's server,
 * then build B's (the order alternating), and runs on each a phase of 500 connections stepping
 * `Tianchi-Replay-C20-v0` one JSON `step` at a time, then one connection stepping a 256-slot vector
 * with binary requests and results; steps/s, p99 and the server's CPU per request, then medians.
 *
 * usage: node dist/bench/ab-serve.js DIST_A DIST_B [ROUNDS=4] [SECONDS=4]
 */

const ENV_ID = 'Tianchi-Replay-C20-v0';

interface Phase {
  readonly perSec: number;
  readonly p99Ms: number;
  readonly cpuUs: number;
}

async function singlePhase(url: string, pid: number, durationMs: number): Promise<Phase> {
  const measured = await singleStepPhase(url, [pid], 500, durationMs);
  return { perSec: measured.count / measured.seconds, p99Ms: percentile(measured.latencies, 0.99), cpuUs: (measured.serverCpu * 1e6) / measured.count };
}

async function vectorPhase(url: string, pid: number, durationMs: number): Promise<Phase> {
  const client = await LoadClient.open(url, [BINARY_BATCHES, BINARY_REQUESTS]);
  const made = await client.request({ type: 'makeVector', envId: ENV_ID, n: 256, seed: 1 });
  await client.request({ type: 'reset', handle: made.handle });
  const actions = Int32Array.from({ length: 256 }, (_, i) => i % 20);
  const cpuBefore = cpuSeconds(pid);
  const measured = await closedLoop([client], durationMs, (c) => c.binaryRequest('stepVector', made.handle as number, actions).then(() => undefined));
  const cpuUs = ((cpuSeconds(pid) - cpuBefore) * 1e6) / measured.count;
  client.close();
  return { perSec: (measured.count * 256) / measured.seconds, p99Ms: percentile(measured.latencies, 0.99), cpuUs };
}


async function main(argv: string[]): Promise<number> {
  if (argv.length < 2) {
    process.stderr.write('usage: node dist/bench/ab-serve.js DIST_A DIST_B [ROUNDS=4] [SECONDS=4]\n');
    return 2;
  }
  const bins = argv.slice(0, 2).map((dist) => resolve(dist, 'src/cli/main.js'));
  const rounds = Number(argv[2] ?? 4);
  const durationMs = Number(argv[3] ?? 4) * 1000;
  const results = bins.map(() => ({ single: [] as Phase[], vector: [] as Phase[] }));
  for (let round = 0; round < rounds; round++) {
    for (const b of round % 2 === 0 ? [0, 1] : [1, 0]) {
      const { url, child } = await startServer(bins[b]);
      try {
        const single = await singlePhase(url, child.pid as number, durationMs);
        const vector = await vectorPhase(url, child.pid as number, durationMs);
        results[b].single.push(single);
        results[b].vector.push(vector);
        process.stderr.write(`round ${round} ${'AB'[b]}: single ${single.perSec.toFixed(0)}/s p99 ${single.p99Ms.toFixed(1)} ms ${single.cpuUs.toFixed(1)} µs; vector ${vector.perSec.toFixed(0)} env steps/s ${vector.cpuUs.toFixed(0)} µs/call\n`);
      } finally {
        child.kill('SIGTERM');
      }
    }
  }
  for (const [b, r] of results.entries()) {
    const m = (phases: Phase[], key: keyof Phase) => upperMedian(phases.map((p) => p[key]));
    process.stdout.write(
      `${'AB'[b]} (${argv[b]}): single ${m(r.single, 'perSec').toFixed(0)} steps/s, p99 ${m(r.single, 'p99Ms').toFixed(1)} ms, ${m(r.single, 'cpuUs').toFixed(1)} µs server CPU/step; ` +
        `stepVector ${m(r.vector, 'perSec').toFixed(0)} env steps/s, ${m(r.vector, 'cpuUs').toFixed(0)} µs server CPU/call (medians of ${rounds})\n`,
    );
  }
  return 0;
}

runMain('ab-serve', main);
