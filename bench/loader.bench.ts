import { execFileSync, spawn } from 'node:child_process';
import { closeSync, existsSync, openSync, readFileSync, renameSync, statSync, writeFileSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRng } from '../src/core/rng.js';
import { TianchiCsvWriter } from '../src/data/tianchi-writer.js';
import { generateShopperLog, type GeneratorOptions } from '../src/sim/index.js';
import type { BenchSuite, Figure } from './lib.js';

// Whole-process timing of `recgym data stats` against pandas on two generated Tianchi-format logs
// (the synthetic shopper population of src/sim, 2.9M-item pool, 9,000 categories, seed 1, empty
// geohash), each cached in os.tmpdir() with a sidecar recording its config and size:
//
// - `loader.shuffled.*` (issue 14): Tianchi-shaped, 20,000 shoppers over 31 days, ~5.1M rows, the rows
//   shuffled (seeded) because the real file is in no order: the store's sort does all its work.
// - `loader.*` (issue 2): ~23M rows (the size of the full Tianchi file), as generated: shopper by
//   shopper, each shopper's events in time order.
//
// The two pandas sides are bench/pandas-read-csv.py: `--form fast` (read_csv of the five columns
// recgym keeps with integer dtypes, then to_datetime with the format) and `--form slow` (read_csv of
// all six columns, geohash and time as Python strings, no time parsing). The three commands run in
// turn, round after round; ratios are taken within a round and the median is reported.

const REPO = fileURLToPath(new URL('../..', import.meta.url));
const CLI = join(REPO, 'dist/src/cli/main.js');
const PANDAS_SCRIPT = join(REPO, 'bench/pandas-read-csv.py');

export interface LogSpec {
  /** Figure key prefix. */
  prefix: string;
  config: GeneratorOptions;
  /** Seed of the row shuffle, or undefined to keep the generator's order. */
  shuffleSeed?: string;
  rounds: number;
  what: string;
}

const ITEMS = 2_900_000;
const CATEGORIES = 9000;

export function logSpecs(quick: boolean): LogSpec[] {
  return [
    {
      prefix: 'loader.shuffled',
      // 20,000 shoppers x 31 days x 1.5 sessions: 5,127,999 rows (1.30M distinct items)
      config: { users: quick ? 2000 : 20_000, days: 31, sessionsPerUserDay: 1.5, items: ITEMS, categories: CATEGORIES, seed: 1 },
      shuffleSeed: 'loader-shuffle',
      rounds: 3,
      what: 'Tianchi-shaped log, rows shuffled',
    },
    {
      prefix: 'loader',
      // 2,405 events per shopper with this config: 9,563 shoppers make 23,371,459 rows
      config: { users: quick ? 416 : 9563, days: 31, sessionsPerUserDay: 15, items: ITEMS, categories: CATEGORIES, seed: 1 },
      rounds: quick ? 2 : 1,
      what: 'log as generated (shopper by shopper)',
    },
  ];
}

interface ChildRun {
  wallSeconds: number;
  output: Record<string, unknown>;
}

/** Loader suite: `loader.shuffled.speedupVsPandasFast`, `loader.rowsPerSec`, `loader.bytesPerEventResident`, … */
export const suite: BenchSuite = {
  name: 'loader',
  async run({ quick, log }) {
    const python = findPandasPython();
    if (!python) log('  pandas: not available (no python3 with pandas; install Debian python3-pandas) — pandas figures skipped');
    const figures: Figure[] = [];
    for (const spec of logSpecs(quick)) figures.push(...(await measureLog(spec, python, log)));
    return figures;
  },
};

async function measureLog(spec: LogSpec, python: string | undefined, log: (line: string) => void): Promise<Figure[]> {
  const { prefix } = spec;
  const file = ensureLog(spec, log);
  const bytes = statSync(file).size;
  const commands: Array<{ name: 'recgym' | 'fast' | 'slow'; command: string; args: string[] }> = [
    { name: 'recgym', command: process.execPath, args: [CLI, 'data', 'stats', file, '--json'] },
  ];
  if (python) {
    commands.push({ name: 'fast', command: python, args: [PANDAS_SCRIPT, file, '--form', 'fast'] });
    commands.push({ name: 'slow', command: python, args: [PANDAS_SCRIPT, file, '--form', 'slow'] });
  }
  const runs = new Map<string, ChildRun[]>(commands.map((c) => [c.name, []]));
  for (let round = 0; round < spec.rounds; round++) {
    // Rotate the order each round so that no command always runs first.
    for (let k = 0; k < commands.length; k++) {
      const { name, command, args } = commands[(k + round) % commands.length];
      const run = await timeChild(command, args, {});
      runs.get(name)!.push(run);
      const inside = name === 'recgym' ? `loadSeconds ${String(run.output.loadSeconds)}` : `readCsvSeconds ${String(run.output.readCsvSeconds)}`;
      log(`  ${prefix} round ${round + 1}: ${name} ${run.wallSeconds.toFixed(2)} s wall (${inside})`);
    }
  }
  // Memory in a separate run: settling RSS after gc() waits, which must not count in the timings.
  const memoryRun = await timeChild(process.execPath, ['--expose-gc', CLI, 'data', 'stats', file, '--json'], { RECGYM_STATS_MEMORY: '1' });
  const memory = memoryRun.output.memory as Record<string, number>;
  log(`  ${prefix} memory run: ${JSON.stringify(memory)}`);
  const recgym = runs.get('recgym')!;
  const rows = Number(recgym[0].output.rows);
  const seconds = median(recgym.map((r) => r.wallSeconds));
  const loadSeconds = median(recgym.map((r) => Number(r.output.loadSeconds)));
  const figures: Figure[] = [
    { key: `${prefix}.rows`, value: rows, unit: 'rows', what: `${spec.what}, ${(bytes / 1e6).toFixed(0)} MB` },
    { key: `${prefix}.seconds`, value: seconds, unit: 's', what: `node data stats --json, whole process (start, load, sort, stats), median of ${recgym.length}` },
    { key: `${prefix}.rowsPerSec`, value: rows / seconds, unit: 'rows/s', what: 'rows / whole-process wall time' },
    { key: `${prefix}.loadRowsPerSec`, value: rows / loadSeconds, unit: 'rows/s', what: 'rows / readEventLog time in the process' },
    {
      key: `${prefix}.bytesPerEventResident`,
      value: memory.bytesPerEventResident,
      unit: 'B/event',
      what: '(RSS after load and gc - RSS before) / events, reported by the child',
    },
    {
      key: `${prefix}.peakRssBytesPerEvent`,
      value: memory.maxRssBytes / memory.events,
      unit: 'B/event',
      what: 'peak RSS of the child (process.resourceUsage().maxRSS) / events',
    },
  ];
  for (const form of ['fast', 'slow'] as const) {
    const pandas = runs.get(form);
    if (!pandas || pandas.length === 0) continue;
    const Form = form === 'fast' ? 'Fast' : 'Slow';
    const what =
      form === 'fast'
        ? 'pandas read_csv (5 columns, integer dtypes) + to_datetime(format), whole process'
        : 'pandas read_csv (6 columns, geohash and time as objects), whole process';
    figures.push(
      { key: `${prefix}.pandas${Form}Seconds`, value: median(pandas.map((r) => r.wallSeconds)), unit: 's', what: `${what}, median of ${pandas.length}` },
      {
        key: `${prefix}.pandas${Form}PeakRssBytesPerRow`,
        value: median(pandas.map((r) => Number(r.output.maxRssBytes))) / rows,
        unit: 'B/row',
        what: 'peak RSS of the pandas process / rows',
      },
      {
        key: `${prefix}.speedupVsPandas${Form}`,
        value: median(pandas.map((r, round) => r.wallSeconds / recgym[round].wallSeconds)),
        unit: 'x',
        what: `pandas ${form} whole-process time / recgym whole-process time, same round; median over rounds`,
      },
    );
  }
  return figures;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

/** The cached log of `spec`, generated (and shuffled) when missing or of another config or size than recorded. */
export function ensureLog(spec: LogSpec, log: (line: string) => void): string {
  const { config, shuffleSeed } = spec;
  const name = `recgym-bench-tianchi-${config.users}u-${config.sessionsPerUserDay}s${shuffleSeed === undefined ? '' : '-shuffled'}.csv`;
  const file = join(tmpdir(), name);
  const sidecar = `${file}.json`;
  const recordedConfig = JSON.stringify({ config, shuffleSeed });
  if (existsSync(file) && existsSync(sidecar)) {
    const recorded = JSON.parse(readFileSync(sidecar, 'utf8')) as { config: GeneratorOptions; shuffleSeed?: string; bytes: number };
    if (JSON.stringify({ config: recorded.config, shuffleSeed: recorded.shuffleSeed }) === recordedConfig && recorded.bytes === statSync(file).size) {
      log(`  reusing ${file} (${(recorded.bytes / 1e6).toFixed(0)} MB)`);
      return file;
    }
  }
  log(`  generating ${file} (${config.users} shoppers) …`);
  const startedMs = performance.now();
  // Written under a name of this process and renamed at the end, so that a concurrent run never reads half a file.
  const partial = `${file}.${process.pid}.partial`;
  const writer = new TianchiCsvWriter(partial, { bufferBytes: 1 << 22 });
  let events = 0;
  try {
    events = generateShopperLog(config, writer).events;
  } finally {
    writer.close();
  }
  if (shuffleSeed !== undefined) shuffleRows(partial, shuffleSeed);
  renameSync(partial, file);
  const bytes = statSync(file).size;
  writeFileSync(sidecar, JSON.stringify({ config, shuffleSeed, bytes, events }));
  log(`  generated ${events} rows, ${(bytes / 1e6).toFixed(0)} MB in ${((performance.now() - startedMs) / 1000).toFixed(1)} s`);
  return file;
}

/** Rewrites a CSV file with its data rows in a seeded random order (Fisher–Yates), the header first. */
function shuffleRows(path: string, seed: string): void {
  const text = readFileSync(path);
  const headerEnd = text.indexOf(10) + 1;
  const starts: number[] = [];
  let p = headerEnd;
  while (p < text.length) {
    starts.push(p);
    const lineFeed = text.indexOf(10, p);
    if (lineFeed < 0) throw new Error(`${path}: expected a line feed after every row`);
    p = lineFeed + 1;
  }
  starts.push(text.length);
  const rows = starts.length - 1;
  const order = new Int32Array(rows);
  for (let i = 0; i < rows; i++) order[i] = i;
  const rng = createRng(seed);
  for (let i = rows - 1; i > 0; i--) {
    const j = rng.nextInt(i + 1);
    const swap = order[i];
    order[i] = order[j];
    order[j] = swap;
  }
  const fd = openSync(path, 'w');
  try {
    const out = Buffer.allocUnsafe(1 << 22);
    let used = text.copy(out, 0, 0, headerEnd);
    for (let i = 0; i < rows; i++) {
      const start = starts[order[i]];
      const end = starts[order[i] + 1];
      if (used + end - start > out.length) {
        writeSync(fd, out, 0, used);
        used = 0;
      }
      used += text.copy(out, used, start, end);
    }
    writeSync(fd, out, 0, used);
  } finally {
    closeSync(fd);
  }
}

/** `python3` or Debian's `/usr/bin/python3`, whichever imports pandas; undefined when neither does. */
function findPandasPython(): string | undefined {
  for (const candidate of ['python3', '/usr/bin/python3']) {
    try {
      execFileSync(candidate, ['-c', 'import pandas'], { stdio: 'ignore' });
      return candidate;
    } catch {
      // try the next one
    }
  }
  return undefined;
}

/**
 * Runs a command to completion and returns its wall time and the JSON object it printed. The command
 * runs as a child of `sh`, not of this process: Linux carries a parent's peak RSS into a child it
 * forks (and across exec), so a direct child's maxRSS would read at least this process's peak.
 */
function timeChild(command: string, args: string[], env: Record<string, string>): Promise<ChildRun> {
  return new Promise((resolve, reject) => {
    const startedMs = performance.now();
    const child = spawn('/bin/sh', ['-c', '"$@"; exit $?', 'sh', command, ...args], {
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => {
      const wallSeconds = (performance.now() - startedMs) / 1000;
      if (code !== 0) {
        reject(new Error(`${command} ${args.join(' ')} exited ${code}: ${stderr.trim()}`));
        return;
      }
      resolve({ wallSeconds, output: JSON.parse(stdout) as Record<string, unknown> });
    });
  });
}
