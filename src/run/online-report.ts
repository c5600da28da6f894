import { fmt, formatInterval, ciSign, jsonWithNulls } from '../report/format.js';
import { markdownTable, textTable } from '../report/table.js';
import type { OnlineReport } from './online-compare.js';

/** The files `recgym compare --env` writes under its output directory. */
export const ONLINE_FILES = { json: 'online-compare.json', markdown: 'online-compare.md' } as const;

function rowCells(report: OnlineReport): string[][] {
  return report.rows.map((r) => [
    r.name,
    r.trainedIn,
    formatInterval(r.episodeReturn),
    r.returnBySeed.map((x) => fmt(x, 3)).join(' / '),
    fmt(r.purchases.mean, 3),
    fmt(r.allPurchases.mean, 3),
    fmt(r.sessionLength.mean, 2),
    fmt(r.acceptRate.mean, 3),
    fmt(r.returnRate.mean, 3),
  ]);
}

const HEADER = ['agent', 'learned on', 'return per session [95% CI]', 'by seed', 'purchases (shown)', 'purchases (all)', 'length', 'accepted', 'return rate'];
const DIFF_HEADER = ['a − b', 'return [95% CI]', 'CI', 'by seed', 'purchases', 'length'];

function diffCells(report: OnlineReport): string[][] {
  return report.diffs.map((d) => [
    `${d.a} − ${d.b}`,
    formatInterval(d.episodeReturn, true),
    ciSign(d.episodeReturn),
    d.bySeed.map((x) => (x >= 0 ? '+' : '') + fmt(x, 3)).join(' / '),
    formatInterval(d.purchases, true),
    formatInterval(d.sessionLength, true),
  ]);
}

function caption(report: OnlineReport): string {
  return `${report.env}: ${report.shoppers} shoppers × ${report.passes} session(s) per seed, seeds ${report.seeds.join(',')}, C = ${report.numCandidates}, purchase reward ${fmt(report.purchaseReward, 2)}; 95 % bootstrap CIs over the ${report.shoppers * report.passes * report.seeds.length} (seed, session) pairs (${report.resamples} resamples), differences paired per session`;
}

/** The online comparison as the terminal table `recgym compare --env` prints. */
export function formatOnlineTable(report: OnlineReport): string {
  return `${caption(report)}\n\n${textTable(HEADER, rowCells(report))}\n\npaired differences of the return per session:\n${textTable(DIFF_HEADER, diffCells(report))}\n`;
}

/** The online comparison as Markdown (`online-compare.md`). */
export function onlineMarkdown(report: OnlineReport, command: string): string {
  return `# Online comparison\n\n\`${command}\`\n\n${caption(report)}.\n\n${markdownTable(HEADER, rowCells(report))}\n\nPaired differences of the return per session:\n\n${markdownTable(DIFF_HEADER, diffCells(report))}\n`;
}

/** The report as JSON (NaN as null). */
export function onlineJson(report: OnlineReport, indent?: number): string {
  return jsonWithNulls(report, indent);
}
