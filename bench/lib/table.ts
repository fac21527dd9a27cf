/**
 * Markdown tables and number formatting for the benchmark output. The tables are GitHub
 * markdown so a run's output can be pasted into docs/benchmarks.md as is. Pure functions.
 */

/** One markdown row; `|` inside a cell is escaped. */
export function markdownRow(cells: readonly string[]): string {
  return `| ${cells.map((c) => c.replaceAll('|', '\\|')).join(' | ')} |`;
}

/** Header row and separator (for tables printed row by row as runs finish). */
export function markdownHeader(headers: readonly string[]): string {
  return `${markdownRow(headers)}\n|${headers.map(() => '---').join('|')}|`;
}

/** A whole markdown table; every row must have as many cells as the header. */
export function markdownTable(headers: readonly string[], rows: readonly (readonly string[])[]): string {
  for (const row of rows) {
    if (row.length !== headers.length) throw new Error(`table row has ${row.length} cells, header has ${headers.length}`);
  }
  return [markdownHeader(headers), ...rows.map(markdownRow)].join('\n');
}

/** Fixed decimals, '-' for a missing figure (NaN / Infinity). */
export function fixed(n: number, digits: number): string {
  return Number.isFinite(n) ? n.toFixed(digits) : '-';
}

/** Integer with thousands separators, '-' for a missing figure. */
export function int(n: number): string {
  return Number.isFinite(n) ? Math.round(n).toLocaleString('en-US') : '-';
}

/** A ratio as "0.42x", with "✓" / "✗" against a target (ours / reference ≤ target passes). */
export function ratioCell(r: number, target?: number): string {
  if (!Number.isFinite(r)) return '-';
  const mark = target === undefined ? '' : r <= target ? ' ✓' : ' ✗';
  return `${r.toFixed(2)}x${mark}`;
}
