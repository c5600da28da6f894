export { ciSign, fmt, formatCount, formatInterval, jsonWithNulls, signed, type IntervalText } from './format.js';
export { labelledLines, markdownTable, textTable, type TextTableOptions } from './table.js';
export { createPercentLine, createProgress, formatSeconds, type PercentLine, type Progress, type ProgressDetail, type ProgressOptions, type ProgressSink } from './progress.js';
export {
  CHART_COLORS,
  barChart,
  chartGrid,
  escapeXml,
  formatTick,
  integerTicks,
  lineChart,
  niceTicks,
  type BarChartOptions,
  type ChartBar,
  type ChartMarker,
  type ChartSeries,
  type LineChartOptions,
} from './svg-chart.js';
