import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRng } from '../src/core/rng.js';
import { readEventLog } from '../src/data/read-event-log.js';
import { fitAgent } from '../src/agents/registry.js';
import { buildTestCases, parseTestStart, prepareEvaluation, rankCases, splitAtTime, type EvaluationSetup } from '../src/eval/index.js';
import { sharedDataAbsent, sharedDataDir } from '../experiments/shared-data.js';
import type { BenchSuite, Figure } from './lib.js';

const FILE = join(sharedDataDir(), 'taobao-userbehavior-samples/userbehavior_timeslice_20171126_jason-wang1.csv');
const TEST_START = '2017-11-26T02:00';
const K = 20;
const AGENTS = ['recent', 'cooccurrence'] as const;

/** The numpy reference sits beside this file in the source tree (bench/), also when run from dist/bench. */
function numpyScript(): string {
  const here = dirname(fileURLToPath(import.meta.url));
  for (const candidate of [join(here, 'eval_full_numpy.py'), join(here, '..', '..', 'bench', 'eval_full_numpy.py')]) {
    if (existsSync(candidate)) return candidate;
  }
  throw new Error('bench/eval_full_numpy.py not found');
}

interface NumpyResult {
  seconds: number;
  cases: number;
  warm: number;
  'recall@20': number;
  'recall@20Optimistic': number;
  'recall@20Pessimistic': number;
}

function recallOf(ranks: Int32Array): number {
  let hits = 0;
  for (const r of ranks) if (r >= 0 && r < K) hits++;
  return hits / ranks.length;
}

/**
 * Full-protocol evaluation of `recent` and `cooccurrence` on the UserBehavior time-slice sample
 * (fit + ranking of every case, the fastest of a few runs; through the sparse-score path the baselines
 * offer, and through dense rows) against a vectorised numpy implementation
 * of the same definitions (bench/eval_full_numpy.py), in one run; also checks that both give the
 * same Recall@20 with ties broken first and last.
 */
export const suite: BenchSuite = {
  name: 'eval-full',
  async run({ quick, log }) {
    if (!existsSync(FILE)) {
      log(`  skipped: ${sharedDataAbsent(FILE)}`);
      return [];
    }
    try {
      execFileSync('python3', ['-c', 'import numpy'], { stdio: 'ignore' });
    } catch {
      log('  skipped: python3 with numpy is not available (Debian: apt-get install -y python3-numpy)');
      return [];
    }
    const repeats = quick ? 1 : 3;
    const { store } = await readEventLog(FILE);
    const testStart = parseTestStart(TEST_START);
    const split = splitAtTime(store, testStart);
    const cases = buildTestCases(store, split);
    const setup = prepareEvaluation(store, cases, 'full', { seed: 0 });
    const withDraw = (u: number): EvaluationSetup => ({ ...setup, tieDraws: new Float64Array(cases.count).fill(u) });
    log(`  ${cases.count} cases, catalogue ${cases.catalogue.length} items (store ${store.numItems})`);
    const numpy = JSON.parse(
      execFileSync('python3', [numpyScript(), FILE, String(testStart), String(K), '0', String(repeats)], { encoding: 'utf8' }),
    ) as Record<(typeof AGENTS)[number], NumpyResult>;
    const figures: Figure[] = [];
    let mismatches = 0;
    for (const name of AGENTS) {
      const timed = async (dense: boolean) => {
        let best = Infinity;
        let ranks: Int32Array = new Int32Array(0);
        for (let r = 0; r < repeats; r++) {
          const t0 = performance.now();
          const agent = await fitAgent(name, store, split.train, createRng('0:agent'));
          ranks = await rankCases(agent, setup, { dense });
          best = Math.min(best, (performance.now() - t0) / 1000);
        }
        return { best, ranks };
      };
      const { best, ranks } = await timed(false);
      const dense = await timed(true);
      if (dense.ranks.some((r, i) => r !== ranks[i])) mismatches++;
      const agent = await fitAgent(name, store, split.train, createRng('0:agent'));
      const optimistic = recallOf(await rankCases(agent, withDraw(0)));
      const pessimistic = recallOf(await rankCases(agent, withDraw(1 - 2 ** -40)));
      const np = numpy[name];
      const recall = recallOf(ranks);
      const same = Math.abs(optimistic - np['recall@20Optimistic']) < 1e-12 && Math.abs(pessimistic - np['recall@20Pessimistic']) < 1e-12;
      if (!same) mismatches++;
      log(
        `  ${name}: recall@20 ${recall.toFixed(5)} (ties first ${optimistic.toFixed(5)}, last ${pessimistic.toFixed(5)}); ` +
          `numpy ${np['recall@20'].toFixed(5)} (${np['recall@20Optimistic'].toFixed(5)}, ${np['recall@20Pessimistic'].toFixed(5)}) ${same ? 'same definitions' : 'MISMATCH'}`,
      );
      const title = name === 'recent' ? 'Recent' : 'Cooccurrence';
      figures.push(
        { key: `eval.full.${name}Seconds`, value: best, unit: 's', what: `fit + full-protocol ranking of ${cases.count} cases, ${name} (sparse scores, the default path)` },
        { key: `eval.full.${name}DenseSeconds`, value: dense.best, unit: 's', what: `the same ranking dense scoreItems rows over the catalogue, ${name}` },
        { key: `eval.full.${name}DenseVsNumpy`, value: dense.best / np.seconds, unit: 'x', what: `recgym dense-row time / numpy time, ${name}` },
        { key: `eval.full.numpy${title}Seconds`, value: np.seconds, unit: 's', what: `the same in vectorised numpy (bench/eval_full_numpy.py)` },
        { key: `eval.full.${name}VsNumpy`, value: best / np.seconds, unit: 'x', what: `recgym time / numpy time, ${name} (<= 1 is the target)` },
        { key: `eval.full.${name}Recall20`, value: recall, unit: '', what: `Recall@20 of ${name}, seed 0` },
        { key: `eval.full.numpy${title}Recall20`, value: np['recall@20'], unit: '', what: `Recall@20 of ${name} in numpy (its own tie draws)` },
      );
    }
    figures.push({ key: 'eval.full.definitionMismatches', value: mismatches, unit: '', what: 'agents whose ties-first/ties-last Recall@20 differ from numpy, or whose sparse and dense ranks differ (0 expected)' });
    return figures;
  },
};
