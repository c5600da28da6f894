/** Options of {@link textTable}. */
export interface TextTableOptions {
  /** How many leading columns align left (default 1, the rows' labels); the others align right. */
  readonly leftColumns?: number;
}

/** A plain-text table: the header, a rule of dashes, a line per row; columns two spaces apart, no trailing blanks. */
export function textTable(header: readonly string[], rows: ReadonlyArray<readonly string[]>, options: TextTableOptions = {}): string {
  const leftColumns = options.leftColumns ?? 1;
  const widths = header.map((h, c) => Math.max(h.length, ...rows.map((r) => r[c].length)));
  const line = (cells: readonly string[]) =>
    cells
      .map((cell, c) => (c < leftColumns ? cell.padEnd(widths[c]) : cell.padStart(widths[c])))
      .join('  ')
      .trimEnd();
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}

/** A markdown table: the first column aligned left, the others right. */
export function markdownTable(header: readonly string[], rows: ReadonlyArray<readonly string[]>): string {
  const line = (cells: readonly string[]) => `| ${cells.join(' | ')} |`;
  return [line(header), line(header.map((_, c) => (c === 0 ? '---' : '---:'))), ...rows.map(line)].join('\n');
}

/** `label  text` lines, every label padded to the longest (an empty label continues the line above). */
export function labelledLines(rows: ReadonlyArray<readonly [label: string, text: string]>): string {
  const width = Math.max(...rows.map(([label]) => label.length));
  return rows.map(([label, text]) => `${label.padEnd(width)}  ${text}`).join('\n');
}
