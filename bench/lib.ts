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

/** Runs a bench script's `main` on its arguments: its return value is the exit code, an error is printed after `name: ` with exit code 1. */
export function runMain(name: string, main: (argv: string[]) => Promise<number>): void {
  main(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (error: unknown) => {
      process.stderr.write(`${name}: ${(error as Error).stack ?? String(error)}\n`);
      process.exitCode = 1;
    },
  );
}

/** The A/B benches' median: the middle value, the upper one of an even count. */
export function upperMedian(values: readonly number[]): number {
  return [...values].sort((x, y) => x - y)[values.length >> 1];
}
