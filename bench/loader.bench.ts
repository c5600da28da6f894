import { execFileSync, spawn } from 'node:child_process';
import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { TianchiCsvWriter } from '../src/data/tianchi-writer.js';
import { generateShopperLog, type GeneratorOptions } from '../src/sim/index.js';
import type { BenchSuite, Figure } from './lib.js';

// Whole-process timing of the loader on a generated Tianchi-format log of ~23M rows (the size of the
// full Tianchi file; --quick: ~1M), against pandas.read_csv of the same file. The log comes from the
// synthetic shopper population (src/sim, 10,000-ish shoppers like Tianchi, 2.9M items, 9,000
// categories) and is cached in os.tmpdir() with a sidecar recording its config and size.

const EVENTS_PER_USER = 2405; // of the config below, measured: 1,000 users -> 2,405,537 events
const FULL_ROWS = 23_000_000;
const QUICK_ROWS = 1_000_000;

const REPO = fileURLToPath(new URL('../..', import.meta.url));
const CLI = join(REPO, 'dist/src/cli/main.js');
const PANDAS_SCRIPT = join(REPO, 'bench/pandas-read-csv.py');

interface ChildRun {
  wallSeconds: number;
  output: Record<string, unknown>;
}

/** Loader suite: `loader.rowsPerSec`, `loader.bytesPerEventResident`, `loader.pandasSeconds`, `loader.speedupVsPandas`, … */
export const suite: BenchSuite = {
  name: 'loader',
  async run({ quick, log }) {
    const file = ensureLog(quick ? QUICK_ROWS : FULL_ROWS, log);
    const bytes = statSync(file).size;
    const python = findPandasPython();
    const rounds = quick ? 2 : 1;
    const node: ChildRun[] = [];
    const pandas: ChildRun[] = [];
    for (let r = 0; r < rounds; r++) {
      const run = await timeChild(process.execPath, [CLI, 'data', 'stats', file, '--json'], {});
      node.push(run);
      log(`  node data stats: ${run.wallSeconds.toFixed(2)} s wall, loadSeconds ${String(run.output.loadSeconds)}`);
      if (python) {
        const p = await timeChild(python, [PANDAS_SCRIPT, file], {});
        pandas.push(p);
        log(`  pandas.read_csv: ${p.wallSeconds.toFixed(2)} s wall, readCsvSeconds ${String(p.output.readCsvSeconds)}`);
      }
    }
    // Memory in a separate run: settling RSS after gc() waits, which must not count in the timings.
    const memoryRun = await timeChild(process.execPath, ['--expose-gc', CLI, 'data', 'stats', file, '--json'], {
      RECGYM_STATS_MEMORY: '1',
    });
    const memory = memoryRun.output.memory as Record<string, number>;
    log(`  memory run: ${JSON.stringify(memory)}`);
    const best = node.reduce((a, b) => (b.wallSeconds < a.wallSeconds ? b : a));
    const stats = best.output as { rows: number; events: number; loadSeconds: number };
    const figures: Figure[] = [
      { key: 'loader.rows', value: stats.rows, unit: 'rows', what: `generated Tianchi-format log, ${(bytes / 1e6).toFixed(0)} MB` },
      { key: 'loader.seconds', value: best.wallSeconds, unit: 's', what: 'node data stats --json, whole process (start, load, sort, stats)' },
      { key: 'loader.rowsPerSec', value: stats.rows / best.wallSeconds, unit: 'rows/s', what: 'rows / whole-process wall time' },
      { key: 'loader.loadRowsPerSec', value: stats.rows / stats.loadSeconds, unit: 'rows/s', what: 'rows / readEventLog time in the process' },
      {
        key: 'loader.bytesPerEventResident',
        value: memory.bytesPerEventResident,
        unit: 'B/event',
        what: '(RSS after load and gc - RSS before) / events, reported by the child',
      },
      {
        key: 'loader.peakRssBytesPerEvent',
        value: memory.maxRssBytes / memory.events,
        unit: 'B/event',
        what: 'peak RSS of the child (process.resourceUsage().maxRSS) / events',
      },
    ];
    if (pandas.length > 0) {
      const fastest = pandas.reduce((a, b) => (b.wallSeconds < a.wallSeconds ? b : a));
      figures.push(
        { key: 'loader.pandasSeconds', value: fastest.wallSeconds, unit: 's', what: 'python3 pandas.read_csv (dtypes given), whole process' },
        {
          key: 'loader.pandasReadCsvSeconds',
          value: Number(fastest.output.readCsvSeconds),
          unit: 's',
          what: 'pandas.read_csv call alone',
        },
        {
          key: 'loader.speedupVsPandas',
          value: fastest.wallSeconds / best.wallSeconds,
          unit: 'x',
          what: 'pandas whole-process time / recgym whole-process time',
        },
      );
    } else {
      log('  pandas: not available (no python3 with pandas; install Debian python3-pandas) — pandas figures skipped');
    }
    return figures;
  },
};

/** The cached log of about `rows` rows, generated when missing or of another size than recorded. */
function ensureLog(rows: number, log: (line: string) => void): string {
  const users = Math.max(1, Math.round(rows / EVENTS_PER_USER));
  const config: GeneratorOptions = { users, days: 31, sessionsPerUserDay: 15, items: 2_900_000, categories: 9000, seed: 1 };
  const file = join(tmpdir(), `recgym-bench-tianchi-${users}u.csv`);
  const sidecar = `${file}.json`;
  if (existsSync(file) && existsSync(sidecar)) {
    const recorded = JSON.parse(readFileSync(sidecar, 'utf8')) as { config: GeneratorOptions; bytes: number };
    if (JSON.stringify(recorded.config) === JSON.stringify(config) && recorded.bytes === statSync(file).size) {
      log(`  reusing ${file} (${(recorded.bytes / 1e6).toFixed(0)} MB)`);
      return file;
    }
  }
  log(`  generating ${file} (${users} shoppers, ~${(rows / 1e6).toFixed(0)}M rows) …`);
  const startedMs = performance.now();
  const writer = new TianchiCsvWriter(file, { bufferBytes: 1 << 22 });
  let events = 0;
  try {
    events = generateShopperLog(config, writer).events;
  } finally {
    writer.close();
  }
  const bytes = statSync(file).size;
  writeFileSync(sidecar, JSON.stringify({ config, bytes, events }));
  log(`  generated ${events} rows, ${(bytes / 1e6).toFixed(0)} MB in ${((performance.now() - startedMs) / 1000).toFixed(1)} s`);
  return file;
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

/** Runs a command to completion and returns its wall time and the JSON object it printed. */
function timeChild(command: string, args: string[], env: Record<string, string>): Promise<ChildRun> {
  return new Promise((resolve, reject) => {
    const startedMs = performance.now();
    const child = spawn(command, args, { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
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
