import { FORMAT_NAMES } from '../data/detect-format.js';
import { readEventLog, type ReadOptions } from '../data/read-event-log.js';
import { REJECT_REASONS } from '../data/rejects.js';
import { formatWindow } from '../data/split.js';
import { computeStats, type LogStats } from '../data/stats.js';
import { caseShares, type CaseShares } from '../eval/test-cases.js';
import { formatCount } from '../report/format.js';
import { createPercentLine } from '../report/progress.js';
import { labelledLines } from '../report/table.js';
import { formatFlag, parseFlags, UsageError, type Command } from './command.js';
import { checkTestWindowFlags, chooseSplit, testWindowWarning, type TestWindowFlags } from './test-window.js';

/** Set to 1 to add a `memory` object (resident bytes per event, peak RSS) to the JSON output. */
export const MEMORY_REPORT_ENV = 'RECGYM_STATS_MEMORY';

const USAGE = `usage: recgym data stats FILE [--format F] [--test-day YYYY-MM-DD | --test-start YYYY-MM-DDTHH:MM]
                        [--strict] [--json]

Loads an event log and prints its size, users, items, behaviours, time range, train/test split and
the kinds of test cases (cold, seen, repeat, discovery; see recgym eval). FILE may be gzip-compressed
(whatever its name), UTF-8 or UTF-16, with any line ends, quoted fields, and commas, semicolons or
tabs between columns. Warns on stderr when the test window has no test case or few events.

  --format F          ${['auto', ...FORMAT_NAMES].join(' | ')} (default auto: detected from the first lines)
  --test-day DAY      held-out day, UTC (default: the last day with events)
  --test-start T      test window [T, next midnight) UTC; train = everything before T
  --strict            stop at the first bad row (file:line: reason) instead of skipping it
  --json              print one JSON object on stdout`;

const FLAGS = {
  format: { type: 'string' },
  'test-day': { type: 'string' },
  'test-start': { type: 'string' },
  strict: { type: 'boolean' },
  json: { type: 'boolean' },
} as const;

/** `recgym data stats`: loads a log and prints its statistics. */
export const command: Command = {
  path: ['data', 'stats'],
  summary: 'load an event log and print its statistics',
  usage: USAGE,
  async run(args, io) {
    const { values, positionals } = parseFlags(args, FLAGS);
    if (positionals.length !== 1) {
      throw new UsageError(`expected one FILE, actual ${positionals.length === 0 ? 'none' : positionals.join(' ')}`);
    }
    const file = positionals[0];
    const format = formatFlag(values.format);
    const flags: TestWindowFlags = { testDay: values['test-day'], testStart: values['test-start'] };
    checkTestWindowFlags(flags);
    const isMemoryReport = process.env[MEMORY_REPORT_ENV] === '1';
    const baselineRss = isMemoryReport ? await settledResidentBytes() : 0;
    const options: ReadOptions = { format, strict: values.strict ?? false };
    const reading = createPercentLine(io, `reading ${file}`);
    if (io.isTTY) options.onProgress = (bytesRead, totalBytes) => reading.update(bytesRead, totalBytes);
    const startedMs = performance.now();
    const log = await readEventLog(file, options);
    const loadSeconds = (performance.now() - startedMs) / 1000;
    reading.finish();
    const split = chooseSplit(log.store, flags);
    const stats = computeStats(log, { split });
    const testCases = stats.testEvents > 0 ? caseShares(log.store, split) : undefined;
    const output: Record<string, unknown> = { ...stats, testCases: testCases ?? null, loadSeconds: round(loadSeconds, 3), rowsPerSec: Math.round(log.rows / loadSeconds) };
    if (isMemoryReport) {
      const loadedRss = await settledResidentBytes();
      output.memory = {
        baselineRssBytes: baselineRss,
        loadedRssBytes: loadedRss,
        bytesPerEventResident: round((loadedRss - baselineRss) / log.store.length, 2),
        maxRssBytes: process.resourceUsage().maxRSS * 1024,
        events: log.store.length,
      };
    }
    if (values.json) {
      io.stdout(`${JSON.stringify(output)}\n`);
    } else {
      io.stdout(formatTable(stats, testCases, loadSeconds, flags.testStart !== undefined));
    }
    const warning = testWindowWarning(log.store, split, testCases?.cases ?? 0, flags);
    if (warning !== undefined) io.stderr(`${warning}\n`);
    return 0;
  },
};

/**
 * Resident set size once garbage is gone: with `--expose-gc` (the bench runs the child so), full
 * collections 50 ms apart until RSS stops falling, because V8 frees large array buffers lazily.
 */
async function settledResidentBytes(): Promise<number> {
  const gc = (globalThis as { gc?: () => void }).gc;
  let rss = process.memoryUsage().rss;
  if (!gc) return rss;
  for (let attempt = 0; attempt < 20; attempt++) {
    gc();
    await new Promise((resolve) => setTimeout(resolve, 50));
    const now = process.memoryUsage().rss;
    const isSettled = rss - now < 1 << 20;
    rss = now;
    if (isSettled) break;
  }
  return rss;
}

function formatTable(s: LogStats, cases: CaseShares | undefined, loadSeconds: number, isTestStart: boolean): string {
  const n = formatCount;
  const rows: Array<[string, string]> = [
    ['file', s.file],
    ['format', s.format],
    ['rows', `${n(s.rows)} (${n(s.rejected.total)} skipped)`],
    ['events', n(s.events)],
    ['users', n(s.users)],
    ['items', n(s.items)],
    ['categories', n(s.categories)],
    ['behaviors', `click ${n(s.behaviors.click)}, favorite ${n(s.behaviors.favorite)}, cart ${n(s.behaviors.cart)}, purchase ${n(s.behaviors.purchase)}`],
    ['time', `first event ${s.firstTime}, last ${s.lastTime} (${s.days} days with events)`],
    isTestStart
      ? ['test window', `${formatWindow(s.testWindow)}: ${n(s.testEvents)} events of ${n(s.testUsers)} users`]
      : ['test day', `${s.testDay}: ${n(s.testEvents)} events of ${n(s.testUsers)} users`],
    ['train', `${n(s.trainEvents)} events before the test ${isTestStart ? 'window' : 'day'}${s.laterEvents > 0 ? `; ${n(s.laterEvents)} after it (unused)` : ''}`],
    ...(cases
      ? ([
          [
            'test cases',
            `${n(cases.cases)} of ${n(cases.users)} users with history: cold ${pct(cases.cold)}, seen ${pct(cases.seen)} ` +
              `(repeat ${pct(cases.repeat)}), discovery ${pct(cases.discovery)}; seen of warm ${pct(cases.seenOfWarm)}`,
          ],
        ] as Array<[string, string]>)
      : []),
    ['per user', `min ${n(s.eventsPerUser.min)}, median ${n(s.eventsPerUser.median)}, max ${n(s.eventsPerUser.max)} events`],
    ['loaded in', `${loadSeconds.toFixed(2)} s (${n(Math.round(s.rows / loadSeconds))} rows/s)`],
  ];
  for (const reason of REJECT_REASONS) {
    const r = s.rejected.byReason[reason];
    if (r.count > 0) rows.push([`skipped ${reason}`, `${n(r.count)}, lines ${r.firstLines.join(', ')}${r.count > r.firstLines.length ? ', …' : ''}; first: ${r.firstMessage ?? ''}`]);
  }
  return `${labelledLines(rows)}\n`;
}

function pct(share: number): string {
  return `${(100 * share).toFixed(1)} %`;
}

function round(x: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}
