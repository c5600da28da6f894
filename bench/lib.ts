import type Benchmark from 'benchmark';

/** One named figure of a benchmark run, e.g. `env.vector.stepsPerSec`. */
export interface Figure {
  /** Dotted name, stable across runs so that scripts can track it. */
  readonly key: string;
  readonly value: number;
  readonly unit: string;
  /** What was measured, in a few words. */
  readonly what: string;
}

/** A group of related measurements. */
export interface BenchSuite {
  readonly name: string;
  /** `quick` asks for smaller inputs (used by smoke tests); figures keep their keys. */
  run(options: { quick: boolean; log: (line: string) => void }): Promise<Figure[]>;
}

/** Runs a `benchmark` Suite to completion and returns ops/s per benchmark name. */
export function runBenchmarkSuite(suite: Benchmark.Suite): Promise<Map<string, Benchmark>> {
  return new Promise((resolve, reject) => {
    const results = new Map<string, Benchmark>();
    suite
      .on('cycle', (event: Benchmark.Event) => {
        const bench = event.target as unknown as Benchmark;
        if (bench.error) reject(bench.error);
        results.set(String(bench.name), bench);
      })
      .on('complete', () => resolve(results))
      .on('error', (event: Benchmark.Event) => reject((event.target as unknown as Benchmark).error))
      .run({ async: true });
  });
}

/** Keeps a value alive so that V8 cannot drop the work that produced it. */
export let sink = 0;
export function consume(value: number): void {
  sink = (sink + value) | 0;
}
