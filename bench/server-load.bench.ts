import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { WebSocket } from 'ws';
import { decodeBinaryFrame } from '../src/server/binary-frame.js';
import { encodeBinaryRequest } from '../src/server/binary-request.js';
import { BINARY_BATCHES, BINARY_REQUESTS, PROTOCOL_VERSION } from '../src/server/protocol.js';
import { RemoteEnv, RemoteVectorEnv } from '../src/server/client.js';
import { upperMedian, type BenchSuite, type Figure } from './lib.js';
import { nearestRank } from '../src/core/quantile.js';

const BIN = fileURLToPath(new URL('../src/cli/main.js', import.meta.url));
const ENV_ID = 'Tianchi-Replay-C20-v0';
/** Offered single-step rates (steps/s over all connections) of the paced phases: where p99 stays under the 5 ms on this machine. */
const PACED_RATES = [2_500, 5_000, 10_000, 15_000];

/**
 * `recgym serve` (this build's, or the CLI at `bin`) on a free loopback port in a child process (the
 * load generator is this process), with `args` (`--workers 2`); `pids` are the server's processes:
 * the child, and under `--workers` its workers.
 */
export function startServer(bin = BIN, args: string[] = []): Promise<{ url: string; child: ChildProcess; pids: number[] }> {
  const child = spawn(process.execPath, [bin, 'serve', '--port', '0', '--log-level', 'info', ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
  return new Promise((resolve, reject) => {
    let buffered = '';
    const onData = (chunk: Buffer) => {
      buffered += chunk;
      for (let newline = buffered.indexOf('\n'); newline >= 0; newline = buffered.indexOf('\n')) {
        const line = JSON.parse(buffered.slice(0, newline)) as { msg?: string; url?: string; workerPids?: number[] };
        buffered = buffered.slice(newline + 1);
        if (line.msg !== 'listening' || line.url === undefined) continue;
        child.stdout?.off('data', onData);
        child.stdout?.resume();
        resolve({ url: line.url, child, pids: [child.pid as number, ...(line.workerPids ?? [])] });
        return;
      }
    };
    child.stdout?.on('data', onData);
    child.once('exit', (code) => reject(new Error(`recgym serve exited with ${code} before listening`)));
  });
}

/** Peak and current resident memory of a process, in MB (Linux /proc). */
export function memoryMb(pid: number): { peak: number; current: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (field: string) => Number(new RegExp(`${field}:\\s+(\\d+)`).exec(status)?.[1] ?? Number.NaN);
  return { peak: kb('VmHWM') / 1024, current: kb('VmRSS') / 1024 };
}

/** CPU seconds (user + system) a process has used (Linux /proc; clock ticks of 1/100 s). */
export function cpuSeconds(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  // fields after the command: state is [0], utime [11], stime [12]
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

/** A connection that sends one request at a time and resolves each response (a binary frame decoded as the TypeScript client does: views where aligned). */
export class LoadClient {
  readonly #ws: WebSocket;
  #resolve: ((message: Record<string, unknown>) => void) | undefined;
  #nextId = 1;

  private constructor(ws: WebSocket) {
    this.#ws = ws;
    ws.on('message', (data: Buffer, isBinary: boolean) => {
      const resolve = this.#resolve;
      this.#resolve = undefined;
      if (!isBinary) return resolve?.(JSON.parse(data.toString()));
      const decoded = decodeBinaryFrame(data, { copy: false });
      if (!decoded.ok) throw new Error(`bench client: ${decoded.reason}`);
      resolve?.(decoded.message);
    });
  }

  static async open(url: string, capabilities: string[] = []): Promise<LoadClient> {
    const ws = new WebSocket(url, { perMessageDeflate: false });
    await new Promise<void>((resolve, reject) => {
      ws.once('open', () => resolve());
      ws.once('error', reject);
    });
    const client = new LoadClient(ws);
    await client.request({ type: 'hello', protocol: PROTOCOL_VERSION, capabilities });
    return client;
  }

  request(message: Record<string, unknown>): Promise<Record<string, unknown>> {
    return new Promise((resolve) => {
      this.#resolve = resolve;
      this.#ws.send(JSON.stringify({ ...message, id: this.#nextId++ }));
    });
  }

  /** A step or stepVector sent as a binary request (the connection announced binary-requests). */
  binaryRequest(type: 'step' | 'stepVector', handle: number, actions: ArrayLike<number>): Promise<Record<string, unknown>> {
    return new Promise((resolve) => {
      this.#resolve = resolve;
      this.#ws.send(encodeBinaryRequest({ type, id: this.#nextId++, handle, actions }));
    });
  }

  close(): void {
    this.#ws.close();
  }
}

const CLIENT = fileURLToPath(new URL('../../clients/python', import.meta.url));
const PYTHON_BENCH = fileURLToPath(new URL('../../bench/python_client_load.py', import.meta.url));

/** The Python client's figures (bench/python_client_load.py), or none with a logged reason when no python3 imports websockets. */
function pythonClientFigures(url: string, durationMs: number, log: (line: string) => void): Figure[] {
  const python = ['python3', '/usr/bin/python3'].find((candidate) => spawnSync(candidate, ['-c', 'import websockets']).status === 0);
  if (python === undefined) {
    log('  python client figures skipped: no python3 imports websockets');
    return [];
  }
  const run = spawnSync(python, [PYTHON_BENCH, url, String(durationMs / 1000)], { encoding: 'utf8', env: { ...process.env, PYTHONPATH: CLIENT, PYTHONDONTWRITEBYTECODE: '1' } });
  if (run.status !== 0) throw new Error(`python_client_load.py failed: ${run.stderr}`);
  const r = JSON.parse(run.stdout) as Record<string, number>;
  return [
    { key: 'server.python.stepsPerSec', value: r.stepsPerSec, unit: 'steps/s', what: 'Python RemoteEnv.step, one connection (binary requests)' },
    { key: 'server.python.p50Ms', value: r.p50Ms, unit: 'ms', what: 'Python step round trip, median' },
    { key: 'server.python.p99Ms', value: r.p99Ms, unit: 'ms', what: 'Python step round trip, 99th percentile' },
    { key: 'server.python.vector.binaryBoth.envStepsPerSec', value: r.vectorBothEnvStepsPerSec, unit: 'env steps/s', what: 'Python RemoteVectorEnv.step on 256 slots, requests and results as binary frames (the default)' },
    { key: 'server.python.vector.binaryBoth.p99Ms', value: r.vectorBothP99Ms, unit: 'ms', what: 'its round trip, 99th percentile' },
    { key: 'server.python.vector.envStepsPerSec', value: r.vectorEnvStepsPerSec, unit: 'env steps/s', what: 'the same with JSON requests, binary results' },
    { key: 'server.python.vector.json.envStepsPerSec', value: r.vectorJsonEnvStepsPerSec, unit: 'env steps/s', what: 'the same with results as JSON' },
    { key: 'server.python.vector.p99Ms', value: r.vectorP99Ms, unit: 'ms', what: 'Python stepVector round trip (JSON requests, binary results), 99th percentile' },
  ];
}

/** The TypeScript client's own loops (blocking RemoteEnv / RemoteVectorEnv with its defaults: binary requests and results). */
function typeScriptClientFigures(url: string, durationMs: number, numEnvs: number): Figure[] {
  const single = RemoteEnv.connect(url, ENV_ID, { seed: 0 });
  single.reset();
  let steps = 0;
  let start = performance.now();
  while (performance.now() - start < durationMs) {
    const result = single.step(steps++ % 20);
    if (result.terminated || result.truncated) single.reset();
  }
  const singleSeconds = (performance.now() - start) / 1000;
  single.close();
  const vector = RemoteVectorEnv.connect(url, ENV_ID, numEnvs, { seed: 1 });
  vector.reset();
  const actions = vector.createActions();
  for (let slot = 0; slot < numEnvs; slot++) vector.setAction(actions, slot, slot % 20);
  let calls = 0;
  start = performance.now();
  while (performance.now() - start < durationMs) {
    vector.step(actions);
    calls++;
  }
  const vectorSeconds = (performance.now() - start) / 1000;
  vector.close();
  return [
    { key: 'server.ts.stepsPerSec', value: steps / singleSeconds, unit: 'steps/s', what: 'TypeScript RemoteEnv.step, one connection (binary requests)' },
    { key: 'server.ts.vector.envStepsPerSec', value: (calls * numEnvs) / vectorSeconds, unit: 'env steps/s', what: `TypeScript RemoteVectorEnv.step on ${numEnvs} slots (binary requests and results, decoded to batches)` },
  ];
}

/** A latency percentile of ascending `sorted`: the nearest-rank quantile (one of the measured latencies). */
export const percentile = nearestRank;

/** Round trips of `body` on every client until `durationMs` has passed; latencies in ms. */
export async function closedLoop(clients: LoadClient[], durationMs: number, body: (client: LoadClient) => Promise<void>): Promise<{ count: number; seconds: number; latencies: Float64Array }> {
  const latencies: number[] = [];
  const start = performance.now();
  const end = start + durationMs;
  await Promise.all(
    clients.map(async (client) => {
      while (performance.now() < end) {
        const sent = performance.now();
        await body(client);
        latencies.push(performance.now() - sent);
      }
    }),
  );
  const seconds = (performance.now() - start) / 1000;
  return { count: latencies.length, seconds, latencies: Float64Array.from(latencies).sort() };
}

/**
 * Round trips of `body` on every client at `rate` requests/s in all (each client `rate / clients`
 * a second, the clients' first sends spread over one interval), until `durationMs` has passed; one
 * request in flight per client. A latency counts from the request's scheduled time, not from its
 * send, so a server that falls behind the offered rate shows it in full instead of slowing the
 * clients down (no coordinated omission).
 */
export async function pacedLoop(clients: LoadClient[], durationMs: number, rate: number, body: (client: LoadClient) => Promise<void>): Promise<{ count: number; seconds: number; latencies: Float64Array }> {
  const interval = (1000 * clients.length) / rate;
  const latencies: number[] = [];
  const start = performance.now();
  const end = start + durationMs;
  await Promise.all(
    clients.map(async (client, i) => {
      for (let due = start + (i * interval) / clients.length; due < end; due += interval) {
        // A timer may fire up to a millisecond early (the event loop's clock has millisecond steps): wait out the rest a turn at a time.
        for (let wait = due - performance.now(); wait > 0; wait = due - performance.now()) {
          await new Promise((resolve) => (wait >= 1 ? setTimeout(resolve, Math.floor(wait)) : setImmediate(resolve)));
        }
        await body(client);
        latencies.push(performance.now() - due);
      }
    }),
  );
  const seconds = (performance.now() - start) / 1000;
  return { count: latencies.length, seconds, latencies: Float64Array.from(latencies).sort() };
}

/** What a single-step phase measured: round trips, and the server's CPU seconds (every process) and resident memory (summed) at its end. */
export interface SingleStepPhase {
  readonly count: number;
  readonly seconds: number;
  readonly latencies: Float64Array;
  readonly serverCpu: number;
  readonly rssMb: number;
}

/**
 * `connections` connections, each with a `Tianchi-Replay-C20-v0` (seeded by its index), each
 * stepping it one request at a time for `durationMs` (JSON `step`, or binary requests), as fast as
 * the answers come or, with `rate`, at that many steps/s in all ({@link pacedLoop}); `pids` are the
 * server's processes, whose CPU time over the phase is summed.
 */
export async function singleStepPhase(url: string, pids: readonly number[], connections: number, durationMs: number, isBinary = false, rate?: number): Promise<SingleStepPhase> {
  const clients = await Promise.all(Array.from({ length: connections }, () => LoadClient.open(url, isBinary ? [BINARY_REQUESTS] : [])));
  const handles = new Map<LoadClient, number>();
  for (const client of clients) {
    const made = await client.request({ type: 'make', envId: ENV_ID, seed: handles.size });
    handles.set(client, made.handle as number);
    await client.request({ type: 'reset', handle: made.handle });
  }
  let action = 0;
  const cpu = () => pids.reduce((sum, pid) => sum + cpuSeconds(pid), 0);
  const cpuBefore = cpu();
  const step = async (client: LoadClient) => {
    const handle = handles.get(client) as number;
    const next = action++ % 20;
    const result = isBinary ? await client.binaryRequest('step', handle, [next]) : await client.request({ type: 'step', handle, action: next });
    if (result.terminated || result.truncated) await client.request({ type: 'reset', handle });
  };
  const measured = rate === undefined ? await closedLoop(clients, durationMs, step) : await pacedLoop(clients, durationMs, rate, step);
  const serverCpu = cpu() - cpuBefore;
  const rssMb = pids.reduce((sum, pid) => sum + memoryMb(pid).current, 0);
  for (const client of clients) client.close();
  return { ...measured, serverCpu, rssMb };
}

/**
 * The single-step phase against one process and against `recgym serve --workers 2`, interleaved
 * (`rounds` rounds, the order alternating), each on its own server; medians of each.
 */
async function workersComparison(url1: string, pids1: readonly number[], connections: number, durationMs: number, rounds: number, log: (line: string) => void): Promise<Figure[]> {
  const two = await startServer(BIN, ['--workers', '2']);
  try {
    // its workers start cold while the one process has served the phases before: a phase to warm them, not counted
    await singleStepPhase(two.url, two.pids, connections, durationMs / 2);
    const phases: SingleStepPhase[][] = [[], []];
    for (let round = 0; round < rounds; round++) {
      for (const w of round % 2 === 0 ? [0, 1] : [1, 0]) {
        const phase = await singleStepPhase(w === 0 ? url1 : two.url, w === 0 ? pids1 : two.pids, connections, durationMs);
        phases[w].push(phase);
        log(`  round ${round}, ${w + 1} worker(s): ${(phase.count / phase.seconds).toFixed(0)} steps/s, p99 ${percentile(phase.latencies, 0.99).toFixed(1)} ms, ${((phase.serverCpu * 1e6) / phase.count).toFixed(1)} µs server CPU/step`);
      }
    }
    const median = (w: number, of: (p: SingleStepPhase) => number) => upperMedian(phases[w].map(of));
    const perSec = (p: SingleStepPhase) => p.count / p.seconds;
    const cpuUs = (p: SingleStepPhase) => (p.serverCpu * 1e6) / p.count;
    const p99 = (p: SingleStepPhase) => percentile(p.latencies, 0.99);
    return [
      { key: 'server.workers1.single.stepsPerSec', value: median(0, perSec), unit: 'steps/s', what: `one process, ${connections} connections, JSON step (median of ${rounds} interleaved phases)` },
      { key: 'server.workers2.single.stepsPerSec', value: median(1, perSec), unit: 'steps/s', what: 'the same against --workers 2 (median)' },
      { key: 'server.workers2.single.ratio', value: median(1, perSec) / median(0, perSec), unit: '×', what: '--workers 2 over one process, same run' },
      { key: 'server.workers1.single.p99Ms', value: median(0, p99), unit: 'ms', what: 'one process: step round trip, 99th percentile (median)' },
      { key: 'server.workers2.single.p99Ms', value: median(1, p99), unit: 'ms', what: '--workers 2: step round trip, 99th percentile (median)' },
      { key: 'server.workers1.single.serverCpuUsPerStep', value: median(0, cpuUs), unit: 'µs', what: 'one process: server CPU per step' },
      { key: 'server.workers2.single.serverCpuUsPerStep', value: median(1, cpuUs), unit: 'µs', what: '--workers 2: server CPU per step, primary and both workers summed' },
      { key: 'server.workers2.single.serverRssMb', value: median(1, (p) => p.rssMb), unit: 'MB', what: '--workers 2: resident memory, primary and both workers summed' },
    ];
  } finally {
    two.child.kill('SIGTERM');
  }
}

/**
 * The env server under load on loopback (server in a child process, the load generator here, both
 * on this machine's cores): C connections each stepping a replay env one request at a time (steps/s,
 * p50/p99 round trip, server memory), one connection stepping a 256-slot vector env with stepVector
 * (results as JSON, then as binary frames), the single-step phase against one process and against
 * `recgym serve --workers 2` interleaved (their ratio in the same run), the C connections paced at
 * fixed offered rates (latency below saturation), and the same through the Python client
 * (bench/python_client_load.py) when python3 has websockets.
 */
export const suite: BenchSuite = {
  name: 'server-load',
  async run({ quick, log }) {
    const connections = quick ? 20 : 500;
    const numEnvs = 256;
    const durationMs = quick ? 500 : 5000;
    const { url, child, pids } = await startServer();
    const pid = child.pid as number;
    try {
      const single = await singleStepPhase(url, pids, connections, durationMs);
      log(`  ${connections} connections, each with a ${ENV_ID}; server RSS ${single.rssMb.toFixed(0)} MB`);
      const singleBinary = await singleStepPhase(url, pids, connections, durationMs, true);
      const workers = await workersComparison(url, pids, connections, durationMs, quick ? 1 : 2, log);
      const paced: Figure[] = [];
      for (const rate of quick ? [200] : PACED_RATES) {
        const phase = await singleStepPhase(url, pids, connections, durationMs, false, rate);
        const at = `${connections} connections offered ${rate} JSON steps/s in all`;
        log(`  paced ${rate} steps/s: ${(phase.count / phase.seconds).toFixed(0)} served, p99 ${percentile(phase.latencies, 0.99).toFixed(2)} ms`);
        paced.push(
          { key: `server.paced${rate}.stepsPerSec`, value: phase.count / phase.seconds, unit: 'steps/s', what: `${at}: steps answered per second` },
          { key: `server.paced${rate}.p50Ms`, value: percentile(phase.latencies, 0.5), unit: 'ms', what: `${at}: round trip from the scheduled send, median` },
          { key: `server.paced${rate}.p99Ms`, value: percentile(phase.latencies, 0.99), unit: 'ms', what: `${at}: round trip from the scheduled send, 99th percentile` },
        );
      }

      const actions = Array.from({ length: numEnvs }, (_, i) => i % 20);
      const typedActions = Int32Array.from(actions);
      const vectorLoop = async (capabilities: string[]) => {
        const vectorClient = await LoadClient.open(url, capabilities);
        const made = await vectorClient.request({ type: 'makeVector', envId: ENV_ID, n: numEnvs, seed: 1 });
        await vectorClient.request({ type: 'reset', handle: made.handle });
        const cpuBefore = cpuSeconds(pid);
        const measured = await closedLoop([vectorClient], durationMs, async (client) => {
          if (capabilities.includes(BINARY_REQUESTS)) await client.binaryRequest('stepVector', made.handle as number, typedActions);
          else await client.request({ type: 'stepVector', handle: made.handle, actions });
        });
        const serverCpu = cpuSeconds(pid) - cpuBefore;
        vectorClient.close();
        return { ...measured, serverCpu };
      };
      const vector = await vectorLoop([]);
      const binary = await vectorLoop([BINARY_BATCHES]);
      const allBinary = await vectorLoop([BINARY_BATCHES, BINARY_REQUESTS]);
      const typeScript = typeScriptClientFigures(url, durationMs, numEnvs);
      const python = pythonClientFigures(url, durationMs, log);
      const figures: Figure[] = [
        { key: 'server.single.stepsPerSec', value: single.count / single.seconds, unit: 'steps/s', what: `${connections} connections, one step request at a time each` },
        { key: 'server.single.p50Ms', value: percentile(single.latencies, 0.5), unit: 'ms', what: 'step round trip, median' },
        { key: 'server.single.p99Ms', value: percentile(single.latencies, 0.99), unit: 'ms', what: 'step round trip, 99th percentile' },
        { key: 'server.single.binary.stepsPerSec', value: singleBinary.count / singleBinary.seconds, unit: 'steps/s', what: `the same with binary-requests (steps sent as binary frames)` },
        { key: 'server.single.binary.p50Ms', value: percentile(singleBinary.latencies, 0.5), unit: 'ms', what: 'binary step round trip, median' },
        { key: 'server.single.binary.p99Ms', value: percentile(singleBinary.latencies, 0.99), unit: 'ms', what: 'binary step round trip, 99th percentile' },
        { key: 'server.single.serverCpuUsPerStep', value: (single.serverCpu * 1e6) / single.count, unit: 'µs', what: 'server CPU time (user + system) per JSON step: 1e6 / this is the ceiling on one free core' },
        { key: 'server.single.binary.serverCpuUsPerStep', value: (singleBinary.serverCpu * 1e6) / singleBinary.count, unit: 'µs', what: 'the same per binary step' },
        { key: 'server.single.serverRssMb', value: single.rssMb, unit: 'MB', what: `server resident memory with ${connections} connections and envs` },
        { key: 'server.vector.envStepsPerSec', value: (vector.count * numEnvs) / vector.seconds, unit: 'env steps/s', what: `one connection, stepVector on ${numEnvs} slots` },
        { key: 'server.vector.p50Ms', value: percentile(vector.latencies, 0.5), unit: 'ms', what: `stepVector round trip (${numEnvs} slots), median` },
        { key: 'server.vector.p99Ms', value: percentile(vector.latencies, 0.99), unit: 'ms', what: 'stepVector round trip, 99th percentile' },
        { key: 'server.vector.binary.envStepsPerSec', value: (binary.count * numEnvs) / binary.seconds, unit: 'env steps/s', what: `the same with binary-batches (results as binary frames, decoded)` },
        { key: 'server.vector.binary.p50Ms', value: percentile(binary.latencies, 0.5), unit: 'ms', what: 'binary stepVector round trip, median' },
        { key: 'server.vector.binary.p99Ms', value: percentile(binary.latencies, 0.99), unit: 'ms', what: 'binary stepVector round trip, 99th percentile' },
        { key: 'server.vector.binaryBoth.envStepsPerSec', value: (allBinary.count * numEnvs) / allBinary.seconds, unit: 'env steps/s', what: 'the same with binary-requests too (actions sent as a binary frame)' },
        { key: 'server.vector.binaryBoth.p50Ms', value: percentile(allBinary.latencies, 0.5), unit: 'ms', what: 'binary request and result stepVector round trip, median' },
        { key: 'server.vector.binaryBoth.p99Ms', value: percentile(allBinary.latencies, 0.99), unit: 'ms', what: 'binary request and result stepVector round trip, 99th percentile' },
        { key: 'server.vector.binaryBoth.serverCpuUsPerCall', value: (allBinary.serverCpu * 1e6) / allBinary.count, unit: 'µs', what: `server CPU time per binary stepVector of ${numEnvs} slots: ${numEnvs}e6 / this is the env steps/s ceiling on one free core` },
        { key: 'server.peakRssMb', value: memoryMb(pid).peak, unit: 'MB', what: 'server peak resident memory over the run' },
        ...workers,
        ...paced,
        ...typeScript,
        ...python,
      ];
      return figures;
    } finally {
      child.kill('SIGTERM');
    }
  },
};
