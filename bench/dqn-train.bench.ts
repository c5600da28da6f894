import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { initBackend, wasmKernels, type BackendPreference } from '../src/agents/dqn/backend.js';
import { parseDqnConfig, type DqnConfigInput } from '../src/agents/dqn/config.js';
import { DqnLearner } from '../src/agents/dqn/dqn-learner.js';
import { ReplayBuffer, createReplayBatch } from '../src/agents/dqn/replay-buffer.js';
import { createRng, type Rng } from '../src/core/rng.js';
import { EventStoreBuilder, type EventStore } from '../src/data/event-store.js';
import { StateBatch } from '../src/data/state-batch.js';
import type { BenchSuite, Figure } from './lib.js';

/** A store with `numItems` items (each appears at least once), users with `eventsPerUser` hourly events. */
export function syntheticStore(numItems: number, numUsers: number, eventsPerUser: number, rng: Rng): EventStore {
  const builder = new EventStoreBuilder({ expectedEvents: numUsers * eventsPerUser, expectedUsers: numUsers, expectedItems: numItems });
  let next = 0;
  for (let u = 0; u < numUsers; u++) {
    for (let k = 0; k < eventsPerUser; k++) {
      const item = next < numItems ? next++ : rng.nextInt(numItems);
      builder.append(u + 1, item + 1, (item % 100) + 1, (1 + rng.nextInt(4)) as 1 | 2 | 3 | 4, 1_416_268_800 + u * 7 + k * 3600);
    }
  }
  return builder.build();
}

/** Fills a replay buffer the way the vector env does: each slot walks through one user's events. */
export function fillReplay(store: EventStore, buffer: ReplayBuffer, rng: Rng): void {
  const E = buffer.numEnvs;
  const C = buffer.numCandidates;
  const users = new Int32Array(E);
  const positions = new Int32Array(E);
  const nextUsers = new Int32Array(E);
  const nextPositions = new Int32Array(E);
  const actions = new Int32Array(E);
  const rewards = new Float32Array(E);
  const candidates = new Int32Array(E * C);
  const terminations = new Uint8Array(E);
  const truncations = new Uint8Array(E);
  const slotUser = Int32Array.from({ length: E }, (_, e) => e % store.numUsers);
  const slotPos = Int32Array.from(slotUser, (u) => store.userOffsets[u] + 1);
  let nextUser = E;
  for (let row = 0; row * E < buffer.capacity; row++) {
    for (let e = 0; e < E; e++) {
      const u = slotUser[e];
      const p = slotPos[e];
      users[e] = u;
      positions[e] = p;
      actions[e] = rng.next() < 0.1 ? store.items[p] : rng.nextInt(store.numItems);
      rewards[e] = actions[e] === store.items[p] ? 1 : 0;
      nextUsers[e] = u;
      nextPositions[e] = p + 1;
      const isEnd = p + 1 === store.userOffsets[u + 1];
      terminations[e] = isEnd ? 1 : 0;
      truncations[e] = 0;
      for (let j = 0; j < C; j++) candidates[e * C + j] = j === 0 && !isEnd ? store.items[p + 1] : rng.nextInt(store.numItems);
      if (isEnd) {
        slotUser[e] = nextUser++ % store.numUsers;
        slotPos[e] = store.userOffsets[slotUser[e]] + 1;
      } else {
        slotPos[e] = p + 1;
      }
    }
    const states = StateBatch.before(store, users, positions);
    const nextStates = StateBatch.before(store, nextUsers, nextPositions);
    buffer.add(states, actions, rewards, { users: nextUsers, lengths: nextStates.lengths, times: nextStates.times, candidates }, terminations, truncations, Int32Array.from(positions, (p) => store.items[p]));
  }
}

/**
 * The benchmark network (the issue's): item table 50k x 64, GRU 64, 20 candidates, batch 256, L = 20,
 * supervised head with 128 shared negatives; without the per-state history negatives of the default
 * config, which the PyTorch reference does not have either.
 */
export const BENCH_CONFIG: DqnConfigInput = {
  itemDim: 64,
  hiddenSize: 64,
  historyLength: 20,
  numCandidates: 20,
  batchSize: 256,
  segmentLength: 20,
  contextLength: 1,
  supervisedNegatives: 128,
  // The network of bench/dqn_torch_reference.py: Q with history features and the auxiliary head on
  // the state and item embeddings; no context features, no dueling head and no auxiliary feature
  // softmax (the PyTorch reference has none of them).
  contextFeatures: false,
  dueling: false,
  auxFeatureWeight: 0,
};

/**
 * Transitions per second of `steps` gradient steps after `warmup` untimed ones; on the direct WASM
 * path also the part of a step spent in XNNPACK's matrix products (`productsMsPerStep`, timed around
 * each call during the same steps), the arithmetic floor of the step on this backend.
 */
export async function measureTraining(
  backend: BackendPreference,
  mode: 'window' | 'session',
  options: { numItems: number; steps: number; warmup: number; overrides?: DqnConfigInput },
): Promise<{ transitionsPerSec: number; backend: string; msPerStep: number; productsMsPerStep?: number }> {
  const { tf, backend: chosen } = await initBackend(backend);
  const rng = createRng('dqn-bench');
  const store = syntheticStore(options.numItems, 2000, 40, rng);
  const config = parseDqnConfig({ ...BENCH_CONFIG, ...options.overrides, sequenceMode: mode });
  const pool = Int32Array.from({ length: store.numItems }, (_, i) => i);
  const learner = new DqnLearner(tf, config, store, pool, rng);
  const buffer = new ReplayBuffer({ capacity: 20_000, numEnvs: 64, numCandidates: config.numCandidates });
  fillReplay(store, buffer, rng);
  const batch = createReplayBatch(config.batchSize, config.numCandidates);
  const step = () =>
    learner.trainStep(mode === 'window' ? buffer.sample(config.batchSize, rng, batch) : buffer.sampleSegments(config.batchSize, config.segmentLength, rng, batch));
  for (let i = 0; i < options.warmup; i++) step();
  const kernels = wasmKernels(tf);
  let productsMs = 0;
  if (kernels) {
    const matMul = kernels.matMul.bind(kernels);
    kernels.matMul = (...args: Parameters<typeof matMul>): void => {
      const start = performance.now();
      matMul(...args);
      productsMs += performance.now() - start;
    };
  }
  const t0 = performance.now();
  for (let i = 0; i < options.steps; i++) step();
  const ms = (performance.now() - t0) / options.steps;
  if (kernels) Reflect.deleteProperty(kernels, 'matMul');
  learner.dispose();
  return {
    transitionsPerSec: (config.batchSize * 1000) / ms,
    backend: chosen,
    msPerStep: ms,
    ...(kernels ? { productsMsPerStep: productsMs / options.steps } : {}),
  };
}

function torchFigures(quick: boolean, log: (line: string) => void): Map<string, number> {
  const script = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'bench', 'dqn_torch_reference.py');
  const path = existsSync(script) ? script : join(dirname(fileURLToPath(import.meta.url)), 'dqn_torch_reference.py');
  const out = new Map<string, number>();
  for (const python of ['python3', '/usr/bin/python3']) {
    const probe = spawnSync(python, ['-c', 'import torch'], { encoding: 'utf8' });
    if (probe.status !== 0) continue;
    const run = spawnSync(python, [path, '--json', ...(quick ? ['--quick'] : [])], { encoding: 'utf8', maxBuffer: 1 << 20 });
    if (run.status !== 0) {
      log(`  torch reference failed: ${run.stderr.trim().split('\n').pop()}`);
      return out;
    }
    for (const [k, v] of Object.entries(JSON.parse(run.stdout) as Record<string, number>)) out.set(k, v);
    return out;
  }
  log('  torch not installed (python3 -c "import torch" fails): skipping the PyTorch reference figures (apt-get install -y python3-torch)');
  return out;
}

export const suite: BenchSuite = {
  name: 'dqn-train',
  async run({ quick, log }) {
    const numItems = quick ? 5_000 : 50_000;
    const steps = quick ? 3 : 100;
    const warmup = quick ? 1 : 100;
    const { loadavg } = await import('node:os');
    log(`  load average before: ${loadavg().map((x) => x.toFixed(2)).join(' ')}`);
    const window = await measureTraining('wasm', 'window', { numItems, steps, warmup });
    const session = await measureTraining('wasm', 'session', { numItems, steps, warmup });
    log(`  backend ${window.backend}: window ${window.msPerStep.toFixed(1)} ms/step, session ${session.msPerStep.toFixed(1)} ms/step`);
    const figures: Figure[] = [
      { key: 'dqn.train.transitionsPerSec.window', value: window.transitionsPerSec, unit: 'transitions/s', what: `WASM, each transition encodes its own 20-event window (items ${numItems}x64, GRU 64, C 20, batch 256)` },
      { key: 'dqn.train.transitionsPerSec.session', value: session.transitionsPerSec, unit: 'transitions/s', what: 'WASM, one GRU pass per 20-step segment (1 event of context) yields every state' },
    ];
    const torch = torchFigures(quick, log);
    for (const [key, value] of torch) figures.push({ key: `dqn.torch.${key}`, value, unit: 'transitions/s', what: `PyTorch, 1 thread, same network (${key})` });
    const tw = torch.get('transitionsPerSec.window');
    const ts = torch.get('transitionsPerSec.session');
    if (tw) figures.push({ key: 'dqn.ratio.window', value: window.transitionsPerSec / tw, unit: 'x', what: 'WASM / PyTorch, per-transition windows' });
    if (ts) figures.push({ key: 'dqn.ratio.session', value: session.transitionsPerSec / ts, unit: 'x', what: 'WASM / PyTorch, session pass' });
    for (const [name, run, torchRate] of [['window', window, tw], ['session', session, ts]] as const) {
      if (run.productsMsPerStep === undefined) continue;
      log(`  ${name}: XNNPACK products ${run.productsMsPerStep.toFixed(1)} ms of ${run.msPerStep.toFixed(1)} ms/step`);
      figures.push({ key: `dqn.train.msPerStep.${name}`, value: run.msPerStep, unit: 'ms', what: `WASM, one ${name}-mode gradient step` });
      figures.push({ key: `dqn.train.productsMsPerStep.${name}`, value: run.productsMsPerStep, unit: 'ms', what: `WASM, the XNNPACK matrix products of one ${name}-mode step (timed around each call in the same steps)` });
      if (!torchRate) continue;
      // Both sides step the same batch, so PyTorch's step takes (transitions per step) / its rate. Above 1:
      // the products alone take longer than PyTorch's whole step, and no work outside them can reach parity.
      const torchMsPerStep = (run.transitionsPerSec * run.msPerStep) / torchRate;
      figures.push({ key: `dqn.ratio.${name}ProductsToTorchStep`, value: run.productsMsPerStep / torchMsPerStep, unit: 'x', what: `WASM products of a ${name} step / PyTorch whole ${name} step` });
    }
    log(`  load average after: ${loadavg().map((x) => x.toFixed(2)).join(' ')}`);
    return figures;
  },
};
