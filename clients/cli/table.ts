/** A cell of a text table: numbers are right-aligned. */
export type Cell = string | number;

/**
 * Renders rows as an aligned plain-text table with a header and a rule under it (numbers
 * right-aligned, text left-aligned).
 */
export function formatTable(headers: readonly string[], rows: ReadonlyArray<readonly Cell[]>): string {
  const text = rows.map((row) => row.map(String));
  const widths = headers.map((h, j) => Math.max(h.length, ...text.map((row) => (row[j] ?? '').length)));
  const numeric = headers.map((_, j) => rows.length > 0 && rows.every((row) => typeof row[j] === 'number' || /^[-+]?[\d.,]+\s*%?$/.test(String(row[j]))));
  const line = (cells: readonly string[]) =>
    cells.map((cell, j) => (numeric[j] ? cell.padStart(widths[j]) : cell.padEnd(widths[j]))).join('  ').trimEnd();
  return [line(headers), widths.map((w) => '─'.repeat(w)).join('  '), ...text.map(line)].join('\n');
}

/** Renders `label: value` lines with the values aligned. */
export function formatFields(fields: ReadonlyArray<readonly [string, Cell]>): string {
  const width = Math.max(...fields.map(([label]) => label.length));
  return fields.map(([label, value]) => `${`${label}:`.padEnd(width + 1)} ${value}`).join('\n');
}

/** `0.8731` → `87.31%`. */
export function percent(fraction: number, digits = 2): string {
  return `${(fraction * 100).toFixed(digits)}%`;
}
