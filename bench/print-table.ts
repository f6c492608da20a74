/** A table of figures: a title, a header row and rows of cells already formatted as text. */
export interface BenchTable {
  title: string;
  columns: string[];
  rows: string[][];
  /** Lines printed under the table: what the figures mean, what was scaled, what is off. */
  notes?: string[];
  /** How many leading columns hold text (left-aligned); the rest hold figures (right-aligned). @default 1 */
  textColumns?: number;
}

/**
 * Renders a table as aligned plain text (text columns left, figures right), so the output
 * reads the same in a terminal, a CI log and a pasted report.
 *
 * @example
 * formatTable({ title: 'wall', columns: ['contender', 'ms'], rows: [['braid', '950']] });
 */
export function formatTable({ title, columns, rows, notes = [], textColumns = 1 }: BenchTable): string {
  const widths = columns.map((column, index) => Math.max(column.length, ...rows.map((row) => (row[index] ?? '').length)));
  const line = (cells: readonly string[]): string =>
    cells
      .map((cell, index) => (index < textColumns ? cell.padEnd(widths[index] ?? 0) : cell.padStart(widths[index] ?? 0)))
      .join('  ')
      .trimEnd();
  const rule = widths.map((width) => '-'.repeat(width)).join('  ');
  return [`## ${title}`, line(columns), rule, ...rows.map(line), ...notes.map((note) => `  ${note}`), ''].join('\n');
}

/** Prints a table to stdout. */
export function printTable(table: BenchTable): void {
  process.stdout.write(`${formatTable(table)}\n`);
}

/** Formats a number with a fixed count of decimals, or '–' when there is none. */
export function formatNumber(value: number | undefined, decimals = 0): string {
  return value === undefined || !Number.isFinite(value) ? '–' : value.toFixed(decimals);
}

/** Formats a ratio as `1.23×`. */
export function formatRatio(value: number | undefined, decimals = 2): string {
  return value === undefined || !Number.isFinite(value) ? '–' : `${value.toFixed(decimals)}×`;
}

/** Formats a share (0..1) as a percentage. */
export function formatPercent(value: number | undefined, decimals = 0): string {
  return value === undefined || !Number.isFinite(value) ? '–' : `${(value * 100).toFixed(decimals)} %`;
}
