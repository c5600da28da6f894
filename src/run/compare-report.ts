import { formatWindow } from '../data/split.js';
import type { ProtocolName } from '../eval/protocols.js';
import { caseKindsText, seedsText } from '../eval/report.js';
import { ciSign, fmt, formatCount, formatInterval, jsonWithNulls } from '../report/format.js';
import { CHART_COLORS, barChart, chartGrid, lineChart, type ChartSeries } from '../report/svg-chart.js';
import { markdownTable, textTable } from '../report/table.js';
import type { CompareReport, DiffRow, TrainingSummary } from './compare.js';

/** The files `recgym compare` writes besides the data, by role. */
export const COMPARE_FILES = {
  json: 'compare.json',
  markdown: 'compare.md',
  curves: 'learning-curves.svg',
  bars: 'recall-by-agent.svg',
} as const;

/** The per-epoch figures compare.md tabulates when a learner reports them, with their column names. */
const EPOCH_DETAILS: ReadonlyMap<string, string> = new Map([
  ['tdLoss', 'TD loss'],
  ['supervisedLoss', 'auxiliary loss'],
  ['meanReward', 'reward / transition'],
  ['epsilon', 'ε'],
  ['purchaseReward', 'purchase reward'],
]);

/** A learner's config in one line: every field, defaults included. */
function configText(config: Readonly<Record<string, unknown>>): string {
  return Object.entries(config)
    .map(([key, value]) => `${key} ${typeof value === 'object' ? JSON.stringify(value) : String(value)}`)
    .join(', ');
}

function headlineOf(report: CompareReport, protocol: ProtocolName): string {
  return report.table.find((r) => r.protocol === protocol)?.metric ?? '';
}

/** Rows of the main table: one per agent, one column per protocol's headline metric, then the random agent's exact expectation. */
function mainRows(report: CompareReport): { header: string[]; rows: string[][] } {
  const header = ['agent', ...report.protocols.map((p) => `${p} ${headlineOf(report, p)} [95% CI]`)];
  const rows = report.agents.map((agent) => [
    agent,
    ...report.protocols.map((p) => {
      const row = report.table.find((r) => r.agent === agent && r.protocol === p);
      return row ? formatInterval(row.value) : '—';
    }),
  ]);
  rows.push(['random (expected)', ...report.protocols.map((p) => fmt(report.results[p]?.randomExpected[headlineOf(report, p)] ?? NaN))]);
  return { header, rows };
}

function diffRows(differences: readonly DiffRow[]): string[][] {
  return differences.map((d) => [
    d.agent,
    d.protocol,
    d.metric,
    ...[d.all, d.warm, d.discovery].map((v) => `${formatInterval(v, true)} ${ciSign(v).padEnd(2)}`),
  ]);
}

function pairRows(differences: readonly DiffRow[]): string[][] {
  return differences.map((d) => [d.agent, d.baseline, ...diffRows([d])[0].slice(1)]);
}

const PAIR_HEADER = ['agent', 'baseline', 'protocol', 'metric', 'all cases', 'warm cases', 'discovery cases'];

/** What the results evaluate for one training run: the refit (its test figure beside the chosen epoch's) or the chosen epoch's agent itself. */
function refitText(run: TrainingSummary): string {
  const chosen = run.epochs[run.bestEpoch];
  const chosenTest = chosen ? fmt(chosen.test['recall@20']) : '—';
  if (!run.refit) {
    return `No refit (\`--no-refit\`): the results above evaluate epoch ${run.bestEpoch + 1}'s agent (test recall@20 ${chosenTest} here), which never saw the validation day(s).`;
  }
  const through = formatWindow({ start: run.windows.train.start, end: run.windows.validation.end });
  return (
    `Refit: retrained from scratch for ${run.refit.epochs} epoch(s) on ${through}, the validation day(s) included, as the baselines see them; ` +
    `the results above evaluate this agent (test recall@20 ${fmt(run.refit.test['recall@20'])} in training's evaluation), not epoch ${run.bestEpoch + 1}'s above (${chosenTest}), so the two figures differ.`
  );
}

function caseLine(report: CompareReport): string {
  const c = report.cases;
  return `test cases ${formatCount(c.total)} of ${formatCount(c.users)} users: ${caseKindsText(c)}`;
}

function storeText(report: CompareReport): string {
  const s = report.store;
  return `${formatCount(s.events)} events, ${formatCount(s.users)} users, ${formatCount(s.items)} items`;
}

/** The comparison as text: data and cases, one agents x protocols table with 95 % CIs, then the paired differences. */
export function formatCompareTable(report: CompareReport): string {
  const lines: string[] = [];
  lines.push(`data ${report.data} (${storeText(report)}) · ${seedsText(report.seeds)} · trained on ${report.backend}`);
  lines.push(`train ${formatWindow(report.split.train)}, test ${formatWindow(report.split.test)}`);
  lines.push(caseLine(report), '');
  const { header, rows } = mainRows(report);
  lines.push(textTable(header, rows));
  if (report.differences.length > 0) {
    lines.push('', `paired difference to ${report.baseline} [95% CI] (>0 / <0: the CI lies above / below 0):`);
    lines.push(textTable(['agent', 'protocol', 'metric', 'all cases', 'warm cases', 'discovery cases'], diffRows(report.differences)));
  }
  if (report.learnerDifferences.length > 0) {
    lines.push('', 'each trained agent paired with every other agent [95% CI]:');
    lines.push(textTable(PAIR_HEADER, pairRows(report.learnerDifferences)));
  }
  lines.push('', `timings: training ${report.timings.trainSeconds.toFixed(1)} s (summed over the learners, which may train at once), evaluation ${report.protocols.map((p) => `${p} ${(report.timings.evalSeconds[p] ?? 0).toFixed(1)} s`).join(', ')}, total ${report.timings.totalSeconds.toFixed(1)} s`);
  return `${lines.join('\n')}\n`;
}

/** compare.md: data, split, case kinds, the table, the differences, each learner's training, backend, timings and the command. */
export function compareMarkdown(report: CompareReport): string {
  const out: string[] = [];
  out.push('# recgym compare', '');
  out.push(`Reproduce with \`${report.command}\`.`, '');
  out.push(`- **Data**: ${report.data} (${storeText(report)})`);
  out.push(`- **Split**: train ${formatWindow(report.split.train)}, test ${formatWindow(report.split.test)} (UTC days; a window [start, end) holds its start, not its end)`);
  out.push(`- **Cases**: ${caseLine(report).replace(/^test cases /, '')}`);
  out.push(`- **Seeds**: ${report.seeds.join(', ')}; 95 % CIs are percentile bootstraps over test users; candidate sets and tie-breaks are shared by all agents, so differences are paired.`);
  out.push(`- **Trained on**: ${report.backend} (\`js\`: typed arrays, no tfjs)`, '');
  out.push('## Results', '');
  const { header, rows } = mainRows(report);
  out.push(markdownTable(header, rows), '');
  out.push(
    'Protocols: `full` ranks the whole training catalogue (a cold positive is a miss), `sampled` the positive among 99 random negatives, `seed` among 4 random negatives (the original article\'s protocol, where a random agent already scores Recall@4 = 0.80).',
    '',
  );
  if (report.differences.length > 0) {
    out.push(`## Paired differences to \`${report.baseline}\``, '');
    out.push(markdownTable(['agent', 'protocol', 'metric', 'all cases', 'warm cases', 'discovery cases'], diffRows(report.differences)), '');
    out.push('`>0` / `<0`: the 95 % CI lies above / below 0.', '');
  }
  if (report.learnerDifferences.length > 0) {
    out.push('## Each trained agent paired with every other agent', '');
    out.push(markdownTable(PAIR_HEADER, pairRows(report.learnerDifferences)), '');
  }
  out.push('## Training', '');
  out.push(
    'Validation picks each learner\'s epoch; the test column below is each epoch\'s agent, trained without the validation day(s). ' +
      'Unless the run says otherwise, the agent the results above evaluate is a refit: retrained from scratch through the validation day(s) for the chosen number of epochs, so its test figure differs from the chosen epoch\'s here.',
    '',
  );
  for (const variant of report.learners) {
    out.push(`\`${variant.name}\` (${variant.agent}): ${configText(variant.config)}.`, '');
    for (const run of variant.runs) {
      out.push(
        `Seed ${run.seed} on ${run.backend}: train ${formatWindow(run.windows.train)}, validation ${formatWindow(run.windows.validation)} (${run.cases.validation} cases, picks the epoch); ` +
          `validation chose epoch ${run.bestEpoch + 1}; ${run.seconds.toFixed(1)} s.`,
        '',
      );
      const details = run.epochs.length > 0 ? Object.keys(run.epochs[0].details).filter((key) => EPOCH_DETAILS.has(key)) : [];
      out.push(
        markdownTable(
          ['epoch', 'loss', ...details.map((key) => EPOCH_DETAILS.get(key) as string), 'transitions/s of gradient time', 'validation recall@20', 'test recall@20'],
          run.epochs.map((e) => [
            `${e.epoch + 1}${e.epoch === run.bestEpoch ? ' *' : ''}`,
            fmt(e.loss),
            ...details.map((key) => (key === 'purchaseReward' ? String(e.details[key]) : key === 'epsilon' ? e.details[key].toFixed(3) : fmt(e.details[key]))),
            formatCount(Math.round(e.transitionsPerSec)),
            fmt(e.validation['recall@20']),
            fmt(e.test['recall@20']),
          ]),
        ),
        '',
        refitText(run),
        '',
      );
    }
  }
  out.push(`Learning curves: [${COMPARE_FILES.curves}](${COMPARE_FILES.curves}); Recall@20 by agent: [${COMPARE_FILES.bars}](${COMPARE_FILES.bars}).`, '');
  out.push('## Timings', '');
  out.push(
    `Training ${report.timings.trainSeconds.toFixed(1)} s (summed over the learners, which may train at once; including the per-epoch validation and test evaluations); evaluation ${report.protocols
      .map((p) => `${p} ${(report.timings.evalSeconds[p] ?? 0).toFixed(1)} s`)
      .join(', ')}; total ${report.timings.totalSeconds.toFixed(1)} s.`,
    '',
  );
  return out.join('\n');
}

/** The report as JSON (NaN and infinities become null). */
export function compareJson(report: CompareReport, indent?: number): string {
  return jsonWithNulls(report, indent);
}

/** Learning curves of every training run (x = epoch, 1-based): training loss, the DQN's mean reward and TD loss where there is a DQN, and recall@20 on validation and test. */
export function learningCurvesSvg(report: CompareReport): string {
  const several = report.learners.length > 1;
  const runs = report.learners.flatMap((v) => v.runs.map((run) => ({ label: several || v.runs.length > 1 ? `${v.name} s${run.seed}` : v.name, run })));
  if (runs.length === 0) throw new RangeError('expected at least one training run, actual none');
  const x = (n: number) => Array.from({ length: n }, (_, i) => i + 1);
  const color = (i: number) => CHART_COLORS[i % CHART_COLORS.length];
  type Epoch = CompareReport['learners'][number]['runs'][number]['epochs'][number];
  const line = (pick: (e: Epoch) => number, only?: string) =>
    runs.flatMap(({ label, run }, i): ChartSeries[] => (only && run.epochs.every((e) => !(only in e.details)) ? [] : [{ name: label, x: x(run.epochs.length), y: run.epochs.map(pick), color: color(i) }]));
  const markers = runs.length === 1 ? [{ x: runs[0].run.bestEpoch + 1, label: 'chosen' }] : [];
  const common = { xLabel: 'epoch', integerX: true, markers, width: 480, height: 320 };
  const recall: ChartSeries[] = runs.flatMap(({ label, run }, i) => [
    { name: `${label} validation`, x: x(run.epochs.length), y: run.epochs.map((e) => e.validation['recall@20']), color: color(i) },
    { name: `${label} test`, x: x(run.epochs.length), y: run.epochs.map((e) => e.test['recall@20']), color: color(i), dashed: true },
  ]);
  const charts = [
    lineChart({ ...common, title: 'Training loss', yLabel: 'loss', series: line((e) => e.loss) }),
    lineChart({ ...common, title: 'Recall@20, full protocol', yLabel: 'recall@20', yFromZero: true, series: recall }),
  ];
  const rewards = line((e) => e.details.meanReward ?? NaN, 'meanReward');
  if (rewards.length > 0) {
    charts.push(
      lineChart({ ...common, title: 'DQN: mean reward per transition (behaviour policy)', yLabel: 'reward', series: rewards }),
      lineChart({ ...common, title: 'DQN: TD loss', yLabel: 'loss', series: line((e) => e.details.tdLoss ?? NaN, 'tdLoss') }),
    );
  }
  return chartGrid(charts, 2);
}

/** A bar per agent of the `full` protocol's headline metric with its 95 % CI as a whisker. */
export function recallBarsSvg(report: CompareReport, protocol: ProtocolName = 'full'): string {
  const rows = report.table.filter((r) => r.protocol === protocol);
  if (rows.length === 0) throw new RangeError(`expected results of protocol ${protocol}, actual none`);
  const metric = rows[0].metric;
  return barChart({
    title: `${metric} by agent (${protocol} protocol, 95% CI)`,
    yLabel: metric,
    bars: rows.map((r) => ({ label: r.agent, value: r.value.mean, lo: r.value.lo, hi: r.value.hi, note: fmt(r.value.mean) })),
  });
}
