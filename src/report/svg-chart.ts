/** One line of a chart: `y[i]` at `x[i]` (default x = i); non-finite values break the line. */
export interface ChartSeries {
  readonly name: string;
  readonly y: ArrayLike<number>;
  readonly x?: ArrayLike<number>;
  /** CSS colour (default: a colour-blind-safe palette by series index). */
  readonly color?: string;
  readonly dashed?: boolean;
}

/** A vertical marker line with a label, e.g. the chosen epoch. */
export interface ChartMarker {
  readonly x: number;
  readonly label: string;
}

/** Options of {@link lineChart}. */
export interface LineChartOptions {
  readonly title: string;
  readonly xLabel: string;
  readonly yLabel: string;
  readonly series: readonly ChartSeries[];
  readonly markers?: readonly ChartMarker[];
  /** Pixels (default 560 x 340). */
  readonly width?: number;
  readonly height?: number;
  /** Fixed y range (default: the data's, padded to nice ticks; includes 0 when `yFromZero`). */
  readonly yMin?: number;
  readonly yMax?: number;
  readonly yFromZero?: boolean;
  /** Integer x ticks only (epochs, days); the x range is padded so that no point or marker sits on the y axis. */
  readonly integerX?: boolean;
  /** Why the chart is empty, written in the plot when no series has a finite value (default: "no finite values to draw"). */
  readonly emptyNote?: string;
}

/** One bar of {@link barChart}: its height, a whisker from `lo` to `hi` (e.g. a CI), the label under it and a note under the label. */
export interface ChartBar {
  readonly label: string;
  readonly value: number;
  readonly lo?: number;
  readonly hi?: number;
  readonly note?: string;
}

/** Options of {@link barChart}. */
export interface BarChartOptions {
  readonly title: string;
  readonly yLabel: string;
  readonly bars: readonly ChartBar[];
}

/** Okabe–Ito colours (distinguishable with colour-vision deficiencies). */
export const CHART_COLORS: readonly string[] = ['#0072B2', '#D55E00', '#009E73', '#CC79A7', '#E69F00', '#56B4E9', '#000000', '#F0E442'];

/** Escapes text for XML content and attribute values. */
export function escapeXml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&apos;');
}

/** About `count` round tick values (1, 2, 2.5, 5 x 10^k steps) covering [min, max]. */
export function niceTicks(min: number, max: number, count = 5, integer = false): number[] {
  if (!(Number.isFinite(min) && Number.isFinite(max))) throw new RangeError(`expected finite bounds, actual ${min}, ${max}`);
  if (max < min) [min, max] = [max, min];
  if (max === min) {
    const pad = min === 0 ? 1 : Math.abs(min) * 0.1;
    min -= pad;
    max += pad;
  }
  const raw = (max - min) / Math.max(1, count);
  const magnitude = 10 ** Math.floor(Math.log10(raw));
  let step = [1, 2, 2.5, 5, 10].map((m) => m * magnitude).find((s) => s >= raw) ?? 10 * magnitude;
  if (integer) step = Math.max(1, Math.ceil(step));
  const first = Math.floor(min / step + 1e-9) * step;
  const ticks: number[] = [];
  for (let v = first; v <= max + step * 1e-9 || ticks.length < 2; v += step) ticks.push(roundTo(v, step));
  if (ticks[ticks.length - 1] < max - step * 1e-9) ticks.push(roundTo(ticks[ticks.length - 1] + step, step));
  return ticks;
}

/** Integer ticks from `min` to `max` (both shown; a single value is padded by 1), at most about `count`. */
export function integerTicks(min: number, max: number, count = 8): number[] {
  let lo = Math.floor(min);
  let hi = Math.ceil(max);
  if (hi === lo) {
    lo -= 1;
    hi += 1;
  }
  const step = Math.max(1, Math.ceil((hi - lo) / Math.max(1, count)));
  const ticks: number[] = [];
  for (let v = lo; v < hi; v += step) ticks.push(v);
  ticks.push(hi);
  return ticks;
}

function roundTo(value: number, step: number): number {
  const digits = Math.max(0, -Math.floor(Math.log10(step)) + 2);
  return Number(value.toFixed(Math.min(12, digits)));
}

/** Tick label: up to 4 significant digits, k/M for large values. */
export function formatTick(value: number): string {
  const a = Math.abs(value);
  if (a >= 1e6) return `${trim((value / 1e6).toPrecision(3))}M`;
  if (a >= 1e4) return `${trim((value / 1e3).toPrecision(3))}k`;
  if (a === 0) return '0';
  return trim(a >= 1 ? value.toFixed(2) : value.toPrecision(3));
}

function trim(text: string): string {
  return text.includes('.') && !text.includes('e') ? text.replace(/0+$/, '').replace(/\.$/, '') : text;
}

function px(value: number): string {
  return (Math.round(value * 10) / 10).toString();
}

/**
 * A line chart as a standalone SVG document (no dependencies, no scripts): axes with round ticks and
 * grid lines, axis labels, a title, one path per series (broken at non-finite values, with a dot
 * per point), optional vertical markers, and a legend under the plot.
 */
export function lineChart(options: LineChartOptions): string {
  const width = options.width ?? 560;
  const height = options.height ?? 340;
  const series = options.series;
  if (series.length === 0) throw new RangeError('expected at least one series, actual none');
  const points = series.map((s) => {
    const out: Array<[number, number]> = [];
    for (let i = 0; i < s.y.length; i++) {
      const x = s.x ? s.x[i] : i;
      out.push([x, s.y[i]]);
    }
    return out;
  });
  const finite = points.flat().filter(([x, y]) => Number.isFinite(x) && Number.isFinite(y));
  const xs = finite.map(([x]) => x).concat((options.markers ?? []).map((m) => m.x));
  const ys = finite.map(([, y]) => y);
  if (options.yFromZero) ys.push(0);
  const xMin = xs.length ? Math.min(...xs) : 0;
  const xMax = xs.length ? Math.max(...xs) : 1;
  const xTicks = options.integerX ? integerTicks(xMin, xMax, 8).filter((t) => xMin === xMax || (t >= xMin && t <= xMax)) : niceTicks(xMin, xMax, 6);
  if (options.integerX && xMin === xMax) xTicks.splice(0, xTicks.length, Math.round(xMin));
  // A series of zeros (or none) from zero runs 0..1, not -1..1.
  const yLow = options.yMin ?? (ys.length ? Math.min(...ys) : 0);
  const yHigh = options.yMax ?? (ys.length ? Math.max(...ys) : 1);
  const yTicks = niceTicks(yLow, options.yFromZero && yLow === 0 && yHigh === 0 ? 1 : yHigh, 5);
  const xPad = options.integerX ? Math.max(0.5, (xTicks[xTicks.length - 1] - xTicks[0]) * 0.03) : 0;
  const x0 = xTicks[0] - xPad;
  const x1 = xTicks[xTicks.length - 1] + xPad;
  const y0 = options.yMin ?? yTicks[0];
  const y1 = options.yMax ?? yTicks[yTicks.length - 1];
  const legendRows = Math.ceil(series.length / 3);
  const left = 72;
  const right = 16;
  const top = 34;
  const bottom = 58 + legendRows * 18;
  const plotW = width - left - right;
  const plotH = height - top - bottom;
  const sx = (x: number) => left + ((x - x0) / (x1 - x0 || 1)) * plotW;
  const sy = (y: number) => top + plotH - ((y - y0) / (y1 - y0 || 1)) * plotH;
  const out: string[] = [];
  out.push(
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="Helvetica, Arial, sans-serif" font-size="12">`,
    `<rect width="${width}" height="${height}" fill="#ffffff" stroke="none"/>`,
    `<text x="${px(width / 2)}" y="20" text-anchor="middle" font-size="14" font-weight="bold">${escapeXml(options.title)}</text>`,
  );
  for (const t of yTicks) {
    if (t < y0 - 1e-12 || t > y1 + 1e-12) continue;
    out.push(
      `<line x1="${left}" y1="${px(sy(t))}" x2="${left + plotW}" y2="${px(sy(t))}" stroke="#e3e3e3"/>`,
      `<text x="${left - 6}" y="${px(sy(t) + 4)}" text-anchor="end">${escapeXml(formatTick(t))}</text>`,
    );
  }
  for (const t of xTicks) {
    out.push(
      `<line x1="${px(sx(t))}" y1="${top + plotH}" x2="${px(sx(t))}" y2="${top + plotH + 5}" stroke="#333333"/>`,
      `<text x="${px(sx(t))}" y="${top + plotH + 18}" text-anchor="middle">${escapeXml(formatTick(t))}</text>`,
    );
  }
  out.push(
    `<line x1="${left}" y1="${top + plotH}" x2="${left + plotW}" y2="${top + plotH}" stroke="#333333"/>`,
    `<line x1="${left}" y1="${top}" x2="${left}" y2="${top + plotH}" stroke="#333333"/>`,
    `<text x="${px(left + plotW / 2)}" y="${top + plotH + 36}" text-anchor="middle">${escapeXml(options.xLabel)}</text>`,
    `<text transform="translate(14 ${px(top + plotH / 2)}) rotate(-90)" text-anchor="middle">${escapeXml(options.yLabel)}</text>`,
  );
  for (const m of options.markers ?? []) {
    if (!Number.isFinite(m.x)) continue;
    out.push(
      `<line class="marker" x1="${px(sx(m.x))}" y1="${top}" x2="${px(sx(m.x))}" y2="${top + plotH}" stroke="#333333" stroke-width="1.5" stroke-dasharray="5 3"/>`,
      // Labels of markers in the right half run leftwards so that they stay inside the chart.
      sx(m.x) > left + plotW / 2
        ? `<text x="${px(sx(m.x) - 4)}" y="${top + 12}" fill="#555555" text-anchor="end">${escapeXml(m.label)}</text>`
        : `<text x="${px(sx(m.x) + 4)}" y="${top + 12}" fill="#555555">${escapeXml(m.label)}</text>`,
    );
  }
  series.forEach((s, i) => {
    const color = s.color ?? CHART_COLORS[i % CHART_COLORS.length];
    const dash = s.dashed ? ' stroke-dasharray="6 4"' : '';
    let run: string[] = [];
    const flush = () => {
      if (run.length > 1) out.push(`<path class="series" data-series="${i}" fill="none" stroke="${color}" stroke-width="2"${dash} d="M${run.join(' L')}"/>`);
      run = [];
    };
    for (const [x, y] of points[i]) {
      if (!(Number.isFinite(x) && Number.isFinite(y))) {
        flush();
        continue;
      }
      run.push(`${px(sx(x))},${px(sy(y))}`);
      out.push(`<circle cx="${px(sx(x))}" cy="${px(sy(y))}" r="2.5" fill="${color}"/>`);
    }
    flush();
  });
  if (finite.length === 0) {
    out.push(`<text class="empty-note" x="${px(left + plotW / 2)}" y="${px(top + plotH / 2)}" text-anchor="middle" fill="#555555">${escapeXml(options.emptyNote ?? 'no finite values to draw')}</text>`);
  }
  const columnW = plotW / 3;
  series.forEach((s, i) => {
    const color = s.color ?? CHART_COLORS[i % CHART_COLORS.length];
    const lx = left + (i % 3) * columnW;
    const ly = top + plotH + 58 + Math.floor(i / 3) * 18;
    const dash = s.dashed ? ' stroke-dasharray="6 4"' : '';
    out.push(
      `<line x1="${px(lx)}" y1="${ly - 4}" x2="${px(lx + 22)}" y2="${ly - 4}" stroke="${color}" stroke-width="2"${dash}/>`,
      `<text x="${px(lx + 28)}" y="${ly}">${escapeXml(points[i].some(([x, y]) => Number.isFinite(x) && Number.isFinite(y)) ? s.name : `${s.name} (no values)`)}</text>`,
    );
  });
  out.push('</svg>');
  return `${out.join('\n')}\n`;
}

/**
 * A bar chart from 0 as a standalone SVG document: one bar per entry in the palette's colours (none
 * for a non-finite value), its whisker where `lo` and `hi` are finite, its label and note under it,
 * round y ticks with grid lines; 90 pixels wide per bar.
 */
export function barChart(options: BarChartOptions): string {
  const bars = options.bars;
  if (bars.length === 0) throw new RangeError('expected at least one bar, actual none');
  const width = 120 + 90 * bars.length;
  const height = 340;
  const left = 64;
  const top = 34;
  const bottom = 56;
  const plotW = width - left - 16;
  const plotH = height - top - bottom;
  const finite = bars.flatMap((b) => [b.hi ?? NaN, b.value]).filter(Number.isFinite);
  const ticks = niceTicks(0, Math.max(1e-9, ...finite), 5);
  const yMax = ticks[ticks.length - 1];
  const sy = (y: number) => top + plotH - (y / yMax) * plotH;
  const slot = plotW / bars.length;
  const out: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="Helvetica, Arial, sans-serif" font-size="12">`,
    `<rect width="${width}" height="${height}" fill="#ffffff"/>`,
    `<text x="${width / 2}" y="20" text-anchor="middle" font-size="14" font-weight="bold">${escapeXml(options.title)}</text>`,
  ];
  for (const t of ticks) {
    out.push(
      `<line x1="${left}" y1="${sy(t).toFixed(1)}" x2="${left + plotW}" y2="${sy(t).toFixed(1)}" stroke="#e3e3e3"/>`,
      `<text x="${left - 6}" y="${(sy(t) + 4).toFixed(1)}" text-anchor="end">${escapeXml(formatTick(t))}</text>`,
    );
  }
  bars.forEach((b, i) => {
    const cx = left + slot * (i + 0.5);
    const w = Math.min(48, slot * 0.6);
    const { value } = b;
    const lo = b.lo ?? NaN;
    const hi = b.hi ?? NaN;
    if (Number.isFinite(value)) {
      out.push(`<rect class="bar" x="${(cx - w / 2).toFixed(1)}" y="${sy(value).toFixed(1)}" width="${w.toFixed(1)}" height="${(top + plotH - sy(value)).toFixed(1)}" fill="${CHART_COLORS[i % CHART_COLORS.length]}"/>`);
    }
    if (Number.isFinite(lo) && Number.isFinite(hi)) {
      out.push(
        `<line x1="${cx.toFixed(1)}" y1="${sy(lo).toFixed(1)}" x2="${cx.toFixed(1)}" y2="${sy(hi).toFixed(1)}" stroke="#333333" stroke-width="1.5"/>`,
        `<line x1="${(cx - 6).toFixed(1)}" y1="${sy(lo).toFixed(1)}" x2="${(cx + 6).toFixed(1)}" y2="${sy(lo).toFixed(1)}" stroke="#333333"/>`,
        `<line x1="${(cx - 6).toFixed(1)}" y1="${sy(hi).toFixed(1)}" x2="${(cx + 6).toFixed(1)}" y2="${sy(hi).toFixed(1)}" stroke="#333333"/>`,
      );
    }
    out.push(`<text x="${cx.toFixed(1)}" y="${top + plotH + 18}" text-anchor="middle">${escapeXml(b.label)}</text>`);
    if (b.note !== undefined) out.push(`<text x="${cx.toFixed(1)}" y="${top + plotH + 34}" text-anchor="middle" fill="#555555">${escapeXml(b.note)}</text>`);
  });
  out.push(
    `<line x1="${left}" y1="${top + plotH}" x2="${left + plotW}" y2="${top + plotH}" stroke="#333333"/>`,
    `<line x1="${left}" y1="${top}" x2="${left}" y2="${top + plotH}" stroke="#333333"/>`,
    `<text transform="translate(16 ${(top + plotH / 2).toFixed(1)}) rotate(-90)" text-anchor="middle">${escapeXml(options.yLabel)}</text>`,
    '</svg>',
  );
  return `${out.join('\n')}\n`;
}

/** Lays standalone charts from {@link lineChart} out in a grid as one SVG document. */
export function chartGrid(charts: readonly string[], columns = 2): string {
  if (charts.length === 0) throw new RangeError('expected at least one chart, actual none');
  const size = (svg: string) => {
    const m = /<svg [^>]*width="(\d+(?:\.\d+)?)" height="(\d+(?:\.\d+)?)"/.exec(svg);
    if (!m) throw new TypeError('expected charts made by lineChart (an <svg> with width and height)');
    return { w: Number(m[1]), h: Number(m[2]) };
  };
  const sizes = charts.map(size);
  const cols = Math.max(1, Math.min(columns, charts.length));
  const cellW = Math.max(...sizes.map((s) => s.w));
  const cellH = Math.max(...sizes.map((s) => s.h));
  const rows = Math.ceil(charts.length / cols);
  const width = cellW * cols;
  const height = cellH * rows;
  const body = charts.map((svg, i) => {
    const open = /^<svg [^>]*>/.exec(svg.trim()) as RegExpExecArray;
    const fonts = [...open[0].matchAll(/ (font-family|font-size)="[^"]*"/g)].map((m) => m[0]).join('');
    const inner = svg.trim().slice(open[0].length).replace(/<\/svg>$/, '');
    return `<g transform="translate(${(i % cols) * cellW} ${Math.floor(i / cols) * cellH})"${fonts}>${inner}</g>`;
  });
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}">\n<rect width="${width}" height="${height}" fill="#ffffff" stroke="none"/>\n${body.join('\n')}\n</svg>\n`;
}
