import { formatWindow, isoWindow } from '../data/split.js';
import { fmt, formatInterval, jsonWithNulls } from '../report/format.js';
import { textTable } from '../report/table.js';
import type { Interval } from './bootstrap.js';
import type { AgentResult, SeedResult } from './evaluate.js';
import type { CaseCounts, EvalSplit } from './test-cases.js';

/** An interval averaged over seeds, with the spread of the per-seed point estimates. */
export interface SeedInterval extends Interval {
  /** Sample standard deviation of the per-seed means (0 for one seed). */
  readonly std: number;
  readonly min: number;
  readonly max: number;
}

/** Metrics averaged over seeds (mean, lo and hi are per-seed averages). */
export type MetricTable = Record<string, SeedInterval | Interval>;

/** One agent in the report. */
export interface AgentReport {
  readonly agent: string;
  readonly metrics: MetricTable;
  /** Per kind of case: `{ cases, <metric>: {mean, lo, hi}, ... }`. */
  readonly bySubset: Record<string, Record<string, number | SeedInterval | Interval>>;
  readonly diff?: { readonly baseline: string; readonly metrics: MetricTable; readonly bySubset: Record<string, MetricTable> };
}

/** The `--json` object of `recgym eval`. */
export interface EvalReport {
  readonly data: string;
  readonly protocol: string;
  readonly k: number;
  readonly seed?: number;
  readonly seeds?: number[];
  readonly catalogue: string;
  readonly filter: string;
  readonly split: { train: { start: string; end: string }; test: { start: string; end: string } };
  readonly cases: CaseCounts;
  readonly evaluated: CaseCounts;
  readonly randomExpected: Record<string, number>;
  readonly baseline?: string;
  /** With one agent: its metrics, bySubset and diff at the top level too. */
  readonly agent?: string;
  readonly metrics?: MetricTable;
  readonly bySubset?: AgentReport['bySubset'];
  readonly diff?: AgentReport['diff'];
  readonly agents: AgentReport[];
  /** Per-seed results when more than one seed ran. */
  readonly runs?: Array<{ seed: number; agents: AgentReport[] }>;
}

function combine(values: Interval[]): SeedInterval | Interval {
  const mean = (f: (v: Interval) => number) => values.reduce((s, v) => s + f(v), 0) / values.length;
  if (values.length === 1) return { mean: values[0].mean, lo: values[0].lo, hi: values[0].hi };
  const m = mean((v) => v.mean);
  const variance = values.reduce((s, v) => s + (v.mean - m) ** 2, 0) / (values.length - 1);
  return {
    mean: m,
    lo: mean((v) => v.lo),
    hi: mean((v) => v.hi),
    std: Math.sqrt(variance),
    min: Math.min(...values.map((v) => v.mean)),
    max: Math.max(...values.map((v) => v.mean)),
  };
}

function combineTables(tables: Array<Record<string, Interval>>): MetricTable {
  const out: MetricTable = {};
  for (const name of Object.keys(tables[0])) out[name] = combine(tables.map((t) => t[name]));
  return out;
}

function agentReport(results: AgentResult[]): AgentReport {
  const first = results[0];
  const bySubset: AgentReport['bySubset'] = {};
  for (const subset of Object.keys(first.bySubset)) {
    bySubset[subset] = { cases: first.bySubset[subset].cases, ...combineTables(results.map((r) => r.bySubset[subset].metrics)) };
  }
  const report: AgentReport = { agent: first.agent, metrics: combineTables(results.map((r) => r.metrics)), bySubset };
  if (!first.diff) return report;
  const diffs = results.map((r) => r.diff as NonNullable<AgentResult['diff']>);
  const diffBySubset: Record<string, MetricTable> = {};
  for (const subset of Object.keys(first.diff.bySubset)) diffBySubset[subset] = combineTables(diffs.map((d) => d.bySubset[subset]));
  return { ...report, diff: { baseline: first.diff.baseline, metrics: combineTables(diffs.map((d) => d.metrics)), bySubset: diffBySubset } };
}

/** Builds the report object from per-seed results (NaN becomes null in JSON). */
export function buildReport(
  runs: SeedResult[],
  context: { data: string; catalogue: string; split: EvalSplit; baseline?: string; singleAgent?: boolean },
): EvalReport {
  if (runs.length === 0) throw new RangeError('expected at least one seed result');
  const first = runs[0];
  const agents = first.agents.map((_, i) => agentReport(runs.map((r) => r.agents[i])));
  const randomExpected: Record<string, number> = {};
  for (const name of Object.keys(first.randomExpected)) {
    randomExpected[name] = runs.reduce((s, r) => s + r.randomExpected[name], 0) / runs.length;
  }
  const { train, test } = context.split;
  const head = {
    data: context.data,
    protocol: first.protocol,
    k: first.k,
    ...(runs.length === 1 ? { seed: first.seed } : { seeds: runs.map((r) => r.seed) }),
    catalogue: context.catalogue,
    filter: first.filter,
    split: { train: isoWindow(train), test: isoWindow(test) },
    cases: first.cases,
    evaluated: first.evaluated,
    randomExpected,
    ...(context.baseline ? { baseline: context.baseline } : {}),
  };
  const single = context.singleAgent ? agents[0] : undefined;
  return {
    ...head,
    ...(single ? { agent: single.agent, metrics: single.metrics, bySubset: single.bySubset, ...(single.diff ? { diff: single.diff } : {}) } : {}),
    agents,
    ...(runs.length > 1 ? { runs: runs.map((r) => ({ seed: r.seed, agents: r.agents.map((a) => agentReport([a])) })) } : {}),
  };
}

/** The report as one line of JSON (NaN -> null). */
export function reportJson(report: EvalReport): string {
  return jsonWithNulls(report);
}

/** The kinds of `c`'s cases with their shares: `cold 1466 (31.8%), warm 3151 (68.2%), ...`. */
export function caseKindsText(c: CaseCounts): string {
  const pct = (n: number) => (c.total > 0 ? `${((100 * n) / c.total).toFixed(1)}%` : '—');
  return `cold ${c.cold} (${pct(c.cold)}), warm ${c.warm} (${pct(c.warm)}), seen ${c.seen} (${pct(c.seen)}), repeat ${c.repeat} (${pct(c.repeat)}), discovery ${c.discovery} (${pct(c.discovery)})`;
}

/** `seed S`, or `seeds A,B,C` with how several seeds are summarised. */
export function seedsText(seeds: readonly number[]): string {
  return seeds.length === 1 ? `seed ${seeds[0]}` : `seeds ${seeds.join(',')} (mean [CI] ±std over seeds)`;
}

/** A readable text rendering: metrics with 95 % CIs, the random agent's expectation, subsets and differences. */
export function formatReport(report: EvalReport): string {
  const names = Object.keys(report.randomExpected);
  const headline = names[0];
  const c = report.cases;
  const lines: string[] = [];
  const seeds = seedsText(report.seeds ?? [report.seed as number]);
  lines.push(`data ${report.data} · protocol ${report.protocol} (K=${report.k}) · catalogue ${report.catalogue} · cases ${report.filter} · ${seeds}`);
  lines.push(`train ${formatWindow(report.split.train)}, test ${formatWindow(report.split.test)}`);
  lines.push(`test cases ${c.total} of ${c.users} users: ${caseKindsText(c)}`);
  if (report.filter !== 'all') lines.push(`evaluated (${report.filter}): ${report.evaluated.total} cases of ${report.evaluated.users} users`);
  lines.push('');
  const rows = report.agents.map((a) => [a.agent, ...names.map((n) => formatInterval(a.metrics[n]))]);
  rows.push(['random (expected)', ...names.map((n) => fmt(report.randomExpected[n]))]);
  lines.push(textTable(['agent', ...names.map((n) => `${n} [95% CI]`)], rows));
  const subsets = Object.keys(report.agents[0].bySubset);
  lines.push('', `${headline} by kind of case:`);
  lines.push(
    textTable(
      ['agent', ...subsets.map((s) => `${s} (${report.agents[0].bySubset[s].cases as number})`)],
      report.agents.map((a) => [a.agent, ...subsets.map((s) => formatInterval(a.bySubset[s][headline] as Interval))]),
    ),
  );
  const withDiff = report.agents.filter((a) => a.diff);
  if (withDiff.length > 0) {
    lines.push('', `paired difference to ${report.baseline} [95% CI]:`);
    lines.push(
      textTable(
        ['agent', ...names, ...['warm', 'seen', 'discovery'].map((s) => `${headline} ${s}`)],
        withDiff.map((a) => {
          const d = a.diff as NonNullable<AgentReport['diff']>;
          return [a.agent, ...names.map((n) => formatInterval(d.metrics[n])), ...['warm', 'seen', 'discovery'].map((s) => formatInterval(d.bySubset[s][headline]))];
        }),
      ),
    );
  }
  return `${lines.join('\n')}\n`;
}
