export { createProgress, type Progress, type ProgressSink } from './progress.js';
export { CHART_COLORS, chartGrid, escapeXml, formatTick, integerTicks, lineChart, niceTicks, type ChartMarker, type ChartSeries, type LineChartOptions } from './svg-chart.js';
