import Benchmark from 'benchmark';
import { createRng } from '../src/core/rng.js';
import { CandidateSampler } from '../src/env/candidates.js';
import { RecommendationEnv } from '../src/env/recommendation-env.js';
import { UniformStream } from '../src/env/uniform-stream.js';
import { VectorRecommendationEnv } from '../src/env/vector-env.js';
import { createDefaultEventStore } from '../src/sim/default-data.js';
import { consume, runBenchmarkSuite, type BenchSuite, type Figure } from './lib.js';

const C = 20;
const L = 10;

/**
 * Replay env throughput on the embedded default data (C = 20, L = 10, uniform negatives):
 * the vector env at N = 64 and 256 (slot-steps/s; N = 256 also with popularity negatives), the
 * single env (steps/s, with resets), and the
 * candidate sampler (uniform and popularity negatives) drawing from a UniformStream vs straight from the Rng (the stream's justification).
 */
export const suite: BenchSuite = {
  name: 'env-step',
  async run({ quick, log }) {
    const store = createDefaultEventStore();
    log(`  store: ${store.length} events, ${store.numUsers} users, ${store.numItems} items`);
    const options = { store, numCandidates: C, historyLength: L, negatives: 'uniform' as const, seed: 1 };
    const vector64 = new VectorRecommendationEnv({ ...options, numEnvs: 64 });
    const vector256 = new VectorRecommendationEnv({ ...options, numEnvs: 256 });
    const popular256 = new VectorRecommendationEnv({ ...options, negatives: 'popularity', numEnvs: 256 });
    const actions64 = new Int32Array(64);
    const actions256 = new Int32Array(256);
    vector64.reset({ seed: 1 });
    vector256.reset({ seed: 1 });
    popular256.reset({ seed: 1 });
    const single = new RecommendationEnv(options);
    single.reset({ seed: 1 });
    const sampler = new CandidateSampler({ catalogue: vector64.setup.catalogue, numCandidates: C });
    const popularSampler = popular256.setup.sampler!;
    const out = new Int32Array(C);
    const rng = createRng(1);
    const stream = new UniformStream(createRng(1));
    let action = 0;
    const maxTime = quick ? 0.3 : 3;
    // Each op runs a batch of calls so that Benchmark.js's per-op overhead stays small.
    const bench = new Benchmark.Suite('env-step')
      .add('vector N=64', () => {
        for (let k = 0; k < 16; k++) consume(vector64.step(actions64).hits[0]);
      }, { maxTime })
      .add('vector N=256', () => {
        for (let k = 0; k < 4; k++) consume(vector256.step(actions256).hits[0]);
      }, { maxTime })
      .add('vector N=256 popularity', () => {
        for (let k = 0; k < 4; k++) consume(popular256.step(actions256).hits[0]);
      }, { maxTime })
      .add('single', () => {
        for (let k = 0; k < 64; k++) {
          const result = single.step(action);
          action = (action + 1) % C;
          if (result.terminated || result.truncated) single.reset();
          consume(result.observation.items[0]);
        }
      }, { maxTime })
      .add('fill stream', () => {
        for (let k = 0; k < 64; k++) consume(sampler.fill(out, 0, 7, stream));
      }, { maxTime })
      .add('fill stream popularity', () => {
        for (let k = 0; k < 64; k++) consume(popularSampler.fill(out, 0, 7, stream));
      }, { maxTime })
      .add('fill rng', () => {
        for (let k = 0; k < 64; k++) consume(sampler.fill(out, 0, 7, rng));
      }, { maxTime });
    const results = await runBenchmarkSuite(bench);
    const hz = (name: string): number => results.get(name)!.hz;
    const figures: Figure[] = [
      { key: 'env.vector.stepsPerSec', value: hz('vector N=256') * 4 * 256, unit: 'steps/s', what: 'vector env, C=20, L=10, N=256, uniform negatives' },
      { key: 'env.vector.n64.stepsPerSec', value: hz('vector N=64') * 16 * 64, unit: 'steps/s', what: 'vector env, C=20, L=10, N=64, uniform negatives' },
      { key: 'env.vector.popularity.stepsPerSec', value: hz('vector N=256 popularity') * 4 * 256, unit: 'steps/s', what: 'vector env, C=20, L=10, N=256, popularity negatives (alias table)' },
      { key: 'env.single.stepsPerSec', value: hz('single') * 64, unit: 'steps/s', what: 'RecommendationEnv.step, C=20, L=10 (resets included)' },
      { key: 'env.candidates.fillsPerSec', value: hz('fill stream') * 64, unit: 'sets/s', what: 'CandidateSampler.fill, C=20, UniformStream' },
      { key: 'env.candidates.popularityFillsPerSec', value: hz('fill stream popularity') * 64, unit: 'sets/s', what: 'CandidateSampler.fill, C=20, popularity negatives (alias table), UniformStream' },
      {
        key: 'env.candidates.streamSpeedup',
        value: hz('fill stream') / hz('fill rng'),
        unit: 'x',
        what: 'fill with UniformStream / fill with Rng.next, same run (rng measured last, call site then polymorphic)',
      },
    ];
    vector64.close();
    vector256.close();
    popular256.close();
    single.close();
    return figures;
  },
};
