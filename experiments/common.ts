import { mkdirSync, realpathSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { availableParallelism } from 'node:os';
import { parseArgs } from 'node:util';
import type { BackendPreference } from '../src/agents/dqn/backend.js';
import type { DqnConfigInput } from '../src/agents/dqn/config.js';
import type { RankerConfigInput } from '../src/agents/ranker/config.js';
import type { EventStore } from '../src/data/event-store.js';
import { readEventLog } from '../src/data/read-event-log.js';
import { canTrainInWorkers } from '../src/run/parallel-training.js';
import { jsonWithNulls } from '../src/report/format.js';
import { createDefaultEventStore } from '../src/sim/default-data.js';

/** Where experiments write their results JSON (relative to the working directory, the repository root under npm). */
export const RESULTS_DIR = join('results', 'experiments');

/** A small, fast DQN for `--quick` smoke runs (tiny data, seconds). */
export const QUICK_DQN: DqnConfigInput = {
  itemDim: 8,
  hiddenSize: 8,
  historyLength: 3,
  segmentLength: 4,
  contextLength: 2,
  numEnvs: 8,
  batchSize: 32,
  bufferSize: 2000,
  learningStarts: 64,
  numCandidates: 8,
  supervisedNegatives: 16,
  maxStepsPerEpoch: 40,
};

/** Learners an experiment trains at once (worker threads, in the built package; 1 from the TypeScript sources). */
export const LEARNER_JOBS = canTrainInWorkers() ? Math.min(2, availableParallelism()) : 1;

/** A small, fast ranker for `--quick` smoke runs. */
export const QUICK_RANKER: RankerConfigInput = { passesPerEpoch: 1, batchSize: 64, uniformNegatives: 16 };

/** Flags every experiment takes. */
export interface ExperimentFlags {
  /** A smoke run: one seed, one epoch, {@link QUICK_DQN} / {@link QUICK_RANKER}, 50 resamples. */
  readonly quick: boolean;
  /** Folder of the results JSON. */
  readonly out: string;
  /** A log file instead of the experiment's default data. */
  readonly data?: string;
  readonly seeds?: number[];
  readonly epochs?: number;
  readonly backend?: BackendPreference;
  /** Further string flags the experiment declared. */
  readonly extra: Record<string, string | undefined>;
}

/** The fields of an experiment's Config that the shared flags set. */
export interface SharedConfig {
  readonly data: string | undefined;
  readonly seeds: number[];
  readonly epochs: number;
  readonly backend: BackendPreference;
  readonly out: string;
}

/** `base` with the shared flags laid over it (a flag left out keeps the base value; `out` always comes from the flags). */
export function withSharedFlags<C extends SharedConfig>(base: C, flags: ExperimentFlags): C {
  return {
    ...base,
    data: flags.data ?? base.data,
    seeds: flags.seeds ?? base.seeds,
    epochs: flags.epochs ?? base.epochs,
    backend: flags.backend ?? base.backend,
    out: flags.out,
  };
}

/** Parses `--quick --out DIR --data FILE --seeds 0,1,2 --epochs E --backend B` plus the experiment's own string flags. */
export function parseExperimentFlags(argv: string[], extra: readonly string[] = []): ExperimentFlags {
  const { values } = parseArgs({
    args: argv,
    strict: true,
    allowPositionals: false,
    options: {
      quick: { type: 'boolean' },
      out: { type: 'string' },
      data: { type: 'string' },
      seeds: { type: 'string' },
      epochs: { type: 'string' },
      backend: { type: 'string' },
      ...Object.fromEntries(extra.map((name) => [name, { type: 'string' as const }])),
    },
  });
  const v = values as Record<string, string | boolean | undefined>;
  const int = (name: string, text: string): number => {
    const n = Number(text);
    if (!(/^\d+$/.test(text) && Number.isSafeInteger(n))) throw new TypeError(`--${name}: expected a non-negative integer, actual "${text}"`);
    return n;
  };
  const backend = v.backend as string | undefined;
  if (backend !== undefined && !['auto', 'tensorflow', 'wasm', 'cpu'].includes(backend)) {
    throw new TypeError(`--backend: expected auto, tensorflow, wasm or cpu, actual "${backend}"`);
  }
  return {
    quick: v.quick === true,
    out: (v.out as string | undefined) ?? RESULTS_DIR,
    data: v.data as string | undefined,
    seeds: v.seeds !== undefined ? (v.seeds as string).split(',').map((s) => int('seeds', s.trim())) : undefined,
    epochs: v.epochs !== undefined ? int('epochs', v.epochs as string) : undefined,
    backend: backend as BackendPreference | undefined,
    extra: Object.fromEntries(extra.map((name) => [name, v[name] as string | undefined])),
  };
}

/** The log at `path`, or the embedded default data. */
export async function loadData(path: string | undefined): Promise<{ store: EventStore; name: string }> {
  if (path === undefined) return { store: createDefaultEventStore(), name: 'default' };
  const { store } = await readEventLog(path);
  return { store, name: path };
}

/** Writes `value` as `DIR/NAME.json` (NaN as null) and returns the path. */
export function writeResult(dir: string, name: string, value: unknown): string {
  mkdirSync(dir, { recursive: true });
  const path = join(dir, `${name}.json`);
  writeFileSync(path, `${jsonWithNulls(value, 2)}\n`);
  return path;
}

/** True when the module at `metaUrl` is the script node was started with. */
export function isEntryPoint(metaUrl: string): boolean {
  if (!process.argv[1]) return false;
  try {
    return realpathSync(process.argv[1]) === realpathSync(fileURLToPath(metaUrl));
  } catch {
    return false;
  }
}

/** Runs `main` as a script: errors print one line and set exit code 1. */
export function runScript(main: (argv: string[]) => Promise<void>): void {
  main(process.argv.slice(2)).catch((error: unknown) => {
    process.stderr.write(`${(error as Error).stack ?? String(error)}\n`);
    process.exitCode = 1;
  });
}

/** Progress lines on stderr. */
export function log(line: string): void {
  process.stderr.write(`${line}\n`);
}
