import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Benchmark from 'benchmark';
import { readEventLog } from '../src/data/read-event-log.js';
import { splitByDay } from '../src/data/split.js';
import { VectorSimulatorEnv } from '../src/env/vector-simulator-env.js';
import { createDefaultEventStore } from '../src/sim/default-data.js';
import { fitSimulator } from '../src/sim/fit-simulator.js';
import { sharedDataAbsent, sharedDataDir } from '../experiments/shared-data.js';
import { consume, runBenchmarkSuite, type BenchSuite, type Figure } from './lib.js';
import { ensureLog, logSpecs } from './loader.bench.js';

const CLI = fileURLToPath(new URL('../src/cli/main.js', import.meta.url));

/** Whole-process wall seconds and peak resident MB of `recgym sim fit FILE` (GNU time's %e and %M). */
function timeSimFit(file: string): { seconds: number; peakMb: number } {
  const dir = mkdtempSync(join(tmpdir(), 'recgym-bench-simfit-'));
  try {
    const run = spawnSync('/usr/bin/time', ['-f', 'TIME %e %M', process.execPath, CLI, 'sim', 'fit', file, '--out', join(dir, 'sim.json'), '--json'], { encoding: 'utf8', maxBuffer: 1 << 26 });
    const line = /TIME ([\d.]+) (\d+)\s*$/.exec(run.stderr ?? '');
    if (run.status !== 0 || !line) throw new Error(`recgym sim fit ${file} failed (exit ${run.status}): ${(run.stderr ?? '').trim().slice(-500)}`);
    return { seconds: Number(line[1]), peakMb: Number(line[2]) / 1024 };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const USERS386 = join(sharedDataDir(), 'taobao-userbehavior-samples/userbehavior_users386_haohanblue.csv');
const N = 256;

/** Seconds of the fastest of `runs` calls of `body`. */
function fastest(runs: number, body: () => unknown): number {
  let best = Infinity;
  for (let r = 0; r < runs; r++) {
    const started = performance.now();
    consume(Number(Boolean(body())));
    best = Math.min(best, (performance.now() - started) / 1000);
  }
  return best;
}

/**
 * The user simulator on the embedded default data: simulated responses per second of the vector
 * sim env at N = 256 in candidates mode (C = 20, L = 10, the agent always picks candidate 0) and in
 * slate mode (K = 10, the ten most popular items every step), with the env's whole step (response,
 * history log, observation, candidates); and `fitSimulator` time on the default data and on the
 * 386-user UserBehavior sample (its reading excluded; skipped when the sample is absent).
 */
export const suite: BenchSuite = {
  name: 'sim',
  async run({ quick, log }) {
    const store = createDefaultEventStore();
    log(`  store: ${store.length} events, ${store.numUsers} users, ${store.numItems} items`);
    const candidates = new VectorSimulatorEnv({ store, numEnvs: N, numCandidates: 20, historyLength: 10, negatives: 'popularity', seed: 1 });
    const slate = new VectorSimulatorEnv({ store, numEnvs: N, mode: 'slate', slateSize: 10, historyLength: 10, seed: 1 });
    candidates.reset({ seed: 1 });
    slate.reset({ seed: 1 });
    const counts = slate.setup.shoppers.model.itemCounts;
    const popular = Int32Array.from(slate.setup.catalogue)
      .sort((a, b) => counts[b] - counts[a] || a - b)
      .subarray(0, 10);
    const candidateActions = new Int32Array(N);
    const slateActions = new Int32Array(N * 10);
    for (let i = 0; i < N; i++) slateActions.set(popular, i * 10);
    const maxTime = quick ? 0.3 : 3;
    const bench = new Benchmark.Suite('sim')
      .add('candidates N=256', () => {
        for (let k = 0; k < 4; k++) consume(candidates.step(candidateActions).hits[0]);
      }, { maxTime })
      .add('slate N=256', () => {
        for (let k = 0; k < 4; k++) consume(slate.step(slateActions).hits[0]);
      }, { maxTime });
    const results = await runBenchmarkSuite(bench);
    const hz = (name: string): number => results.get(name)!.hz;
    const runs = quick ? 1 : 3;
    const figures: Figure[] = [
      { key: 'sim.vector.responsesPerSec', value: hz('candidates N=256') * 4 * N, unit: 'responses/s', what: 'vector sim env step, candidates C=20, L=10, N=256 (response, log, observation)' },
      { key: 'sim.vector.slate.responsesPerSec', value: hz('slate N=256') * 4 * N, unit: 'responses/s', what: 'vector sim env step, slate K=10, L=10, N=256' },
      { key: 'sim.fit.defaultSeconds', value: fastest(runs, () => fitSimulator(store, splitByDay(store).train)), unit: 's', what: `fitSimulator on the embedded data (${store.length} events), fastest of ${runs}` },
    ];
    candidates.close();
    slate.close();
    if (existsSync(USERS386)) {
      const sample = (await readEventLog(USERS386)).store;
      const train = splitByDay(sample).train;
      figures.push({ key: 'sim.fit.users386Seconds', value: fastest(runs, () => fitSimulator(sample, train)), unit: 's', what: `fitSimulator on the 386-user UserBehavior sample (${sample.length} events), fastest of ${runs}` });
    } else {
      log(`  users386 fit skipped: ${sharedDataAbsent(USERS386)}`);
    }
    // The 23M-row Tianchi-shaped log of the loader suite (generated once into the temp folder): the whole `recgym sim fit` process, reading included.
    const large = logSpecs(quick).find((spec) => spec.prefix === 'loader');
    if (large && existsSync('/usr/bin/time')) {
      const file = ensureLog(large, log);
      const { seconds, peakMb } = timeSimFit(file);
      log(`  sim fit on ${file}: ${seconds.toFixed(1)} s, ${peakMb.toFixed(0)} MB peak`);
      figures.push(
        { key: 'sim.fit.tianchi23mSeconds', value: seconds, unit: 's', what: `recgym sim fit on the loader suite's Tianchi-shaped log (${large.what}${quick ? ', --quick size' : ', ~23M rows'}), whole process incl. reading` },
        { key: 'sim.fit.tianchi23mPeakMb', value: peakMb, unit: 'MB', what: 'peak resident memory of that process (GNU time %M)' },
      );
    } else {
      log('  23M-row sim fit skipped: /usr/bin/time is absent');
    }
    return figures;
  },
};
