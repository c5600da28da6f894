import { describe, expect, it } from 'vitest';
import { barChart, chartGrid, escapeXml, formatTick, integerTicks, lineChart, niceTicks } from '../../src/report/svg-chart.js';

describe('niceTicks', () => {
  it('covers the range with round steps', () => {
    expect(niceTicks(0, 1, 5)).toEqual([0, 0.2, 0.4, 0.6, 0.8, 1]);
    expect(niceTicks(0.013, 0.118, 5)).toEqual([0, 0.025, 0.05, 0.075, 0.1, 0.125]);
    expect(niceTicks(3, 97, 5)).toEqual([0, 20, 40, 60, 80, 100]);
  });

  it('pads a single value and rejects non-finite bounds', () => {
    expect(niceTicks(0, 0).length).toBeGreaterThanOrEqual(2);
    const t = niceTicks(5, 5);
    expect(t[0]).toBeLessThan(5);
    expect(t[t.length - 1]).toBeGreaterThan(5);
    expect(() => niceTicks(0, NaN)).toThrow(RangeError);
  });
});

describe('integerTicks', () => {
  it('shows both ends with integer steps', () => {
    expect(integerTicks(1, 4)).toEqual([1, 2, 3, 4]);
    expect(integerTicks(1, 30, 8)).toEqual([1, 5, 9, 13, 17, 21, 25, 29, 30]);
    expect(integerTicks(1, 1)).toEqual([0, 1, 2]);
  });
});

describe('formatTick', () => {
  it('trims zeros and abbreviates large values', () => {
    expect(formatTick(0.25)).toBe('0.25');
    expect(formatTick(2)).toBe('2');
    expect(formatTick(25000)).toBe('25k');
    expect(formatTick(0)).toBe('0');
  });
});

describe('lineChart', () => {
  it('keeps marker labels inside the plot: leftwards in the right half, rightwards in the left half', () => {
    const chart = (x: number) =>
      lineChart({ title: 't', xLabel: 'x', yLabel: 'y', series: [{ name: 's', y: [1, 2, 3] }], markers: [{ x, label: 'chosen' }] });
    expect(chart(2)).toMatch(/<text [^>]*text-anchor="end">chosen<\/text>/);
    expect(chart(0)).toMatch(/<text [^>]*fill="#555555">chosen<\/text>/);
    expect(chart(0)).not.toMatch(/text-anchor="end">chosen/);
  });

  it('draws one path per finite run, a dot per finite point and a legend entry per series', () => {
    const svg = lineChart({
      title: 'a < b & "c"',
      xLabel: 'epoch',
      yLabel: 'value',
      series: [
        { name: 'one', y: [1, 2, NaN, 4, 5] },
        { name: 'two', y: [0.5, 0.5, 0.5], x: [0, 2, 4], dashed: true },
      ],
      markers: [{ x: 1, label: 'chosen' }],
    });
    expect(svg).toContain(escapeXml('a < b & "c"'));
    expect(svg).toContain('a &lt; b &amp; &quot;c&quot;');
    expect(svg).not.toMatch(/NaN|Infinity|undefined/);
    expect(svg.match(/<path class="series" data-series="0"/g)).toHaveLength(2);
    expect(svg.match(/<path class="series" data-series="1"/g)).toHaveLength(1);
    expect(svg.match(/<circle /g)).toHaveLength(7);
    expect(svg).toContain('stroke-dasharray="6 4"');
    expect(svg).toContain('>chosen</text>');
    expect(svg).toContain('>one</text>');
    expect(svg).toContain('>two</text>');
  });

  it('says in the plot why it is empty, marks series without values, and runs a zero axis from 0 to 1', () => {
    const svg = lineChart({ title: 't', xLabel: 'epoch', yLabel: 'loss', yFromZero: true, integerX: true, emptyNote: 'no gradient steps', series: [{ name: 'total', x: [1, 2], y: [NaN, NaN] }] });
    expect(svg).toMatch(/<text class="empty-note"[^>]*>no gradient steps<\/text>/);
    expect(svg).toContain('>total (no values)</text>');
    const zeros = lineChart({ title: 't', xLabel: 'epoch', yLabel: 'recall', yFromZero: true, series: [{ name: 'validation', y: [0, 0] }] });
    const yLabels = [...zeros.matchAll(/<text x="66" y="[\d.]+" text-anchor="end">([^<]*)<\/text>/g)].map((m) => Number(m[1]));
    expect(Math.min(...yLabels)).toBe(0);
    expect(Math.max(...yLabels)).toBe(1);
    expect(zeros).not.toContain('empty-note');
  });

  it('draws the chosen-epoch marker visibly off the y axis, even at the first epoch', () => {
    const svg = lineChart({ title: 't', xLabel: 'epoch', yLabel: 'y', integerX: true, series: [{ name: 's', x: [1, 2], y: [3, 4] }], markers: [{ x: 1, label: 'chosen' }] });
    const marker = /<line class="marker" x1="([\d.]+)"[^>]*stroke="#333333" stroke-width="1.5"/.exec(svg);
    expect(marker).not.toBeNull();
    const yAxis = /<line x1="(\d+)" y1="34" x2="\1" y2="[\d.]+" stroke="#333333"\/>/.exec(svg);
    expect(Number(marker?.[1])).toBeGreaterThan(Number(yAxis?.[1]) + 10);
    expect(svg).not.toMatch(/>0<\/text>/);
  });

  it('draws an empty plot when no value is finite and rejects no series', () => {
    const svg = lineChart({ title: 't', xLabel: 'x', yLabel: 'y', series: [{ name: 's', y: [NaN, NaN] }] });
    expect(svg).not.toMatch(/NaN/);
    expect(svg).not.toContain('class="series"');
    expect(() => lineChart({ title: 't', xLabel: 'x', yLabel: 'y', series: [] })).toThrow(RangeError);
  });
});

describe('chartGrid', () => {
  it('places charts in translated groups of one document', () => {
    const chart = lineChart({ title: 't', xLabel: 'x', yLabel: 'y', series: [{ name: 's', y: [1, 2] }], width: 300, height: 200 });
    const grid = chartGrid([chart, chart, chart], 2);
    expect(grid.match(/<svg /g)).toHaveLength(1);
    expect(grid).toContain('width="600" height="400"');
    expect(grid).toContain('<g transform="translate(300 0)"');
    expect(grid).toContain('<g transform="translate(0 200)"');
    expect(() => chartGrid([])).toThrow(RangeError);
    expect(() => chartGrid(['<g/>'])).toThrow(TypeError);
  });
});

describe('barChart', () => {
  it('draws a bar per finite value, whiskers where lo and hi are finite, labels and notes', () => {
    const svg = barChart({
      title: 'recall@20 by agent',
      yLabel: 'recall@20',
      bars: [
        { label: 'recent', value: 0.45, lo: 0.43, hi: 0.47, note: '0.4500' },
        { label: 'a<b', value: NaN, note: '—' },
      ],
    });
    expect(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg" width="300" height="340"')).toBe(true);
    expect(svg.match(/class="bar"/g)).toHaveLength(1);
    expect(svg.match(/stroke-width="1.5"/g)).toHaveLength(1);
    expect(svg).toContain('>a&lt;b</text>');
    expect(svg).toContain('>0.4500</text>');
    expect(svg.endsWith('</svg>\n')).toBe(true);
    expect(() => barChart({ title: 't', yLabel: 'y', bars: [] })).toThrow(RangeError);
  });
});
