import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { DatasetError, type Dataset } from './dataset.js';
import { DatasetRows, parseLabel } from './rows.js';

/** Options of {@link parseCsv}. */
export interface CsvOptions {
  /**
   * The label column: a header name or a 0-based index. Default: the column named `label`, `y`,
   * `class` or `target` when there is a header, else column 0.
   */
  labelColumn?: string | number;
}

const LABEL_NAMES = ['label', 'y', 'class', 'target'];

/**
 * Reads a numeric CSV file: one sample per line, a label column and feature columns. An
 * optional header row is recognised by a cell that is not a number. An empty label cell marks
 * an unlabelled sample (label −1).
 * @throws DatasetError naming the line and column of the first problem.
 */
export function loadCsv(file: string, options: CsvOptions = {}): Dataset {
  return parseCsv(readFileSync(file, 'utf8'), file, options);
}

/** Parses CSV text (see {@link loadCsv}); `file` names it in errors. */
export function parseCsv(text: string, file: string, options: CsvOptions = {}): Dataset {
  const lines = text.split(/\r?\n/);
  const first = lines.findIndex((line) => line.trim() !== '');
  if (first < 0) throw new DatasetError(file, '', 'the file is empty');
  const firstCells = splitCells(lines[first]);
  const header = firstCells.some((cell) => cell !== '' && !Number.isFinite(Number(cell))) ? firstCells : null;
  const labelAt = labelIndex(file, header, firstCells.length, options.labelColumn);
  const columns = firstCells.length;
  const rows = new DatasetRows(file);
  for (let i = header ? first + 1 : first; i < lines.length; i++) {
    if (lines[i].trim() === '') continue;
    const where = `line ${i + 1}`;
    const cells = splitCells(lines[i]);
    if (cells.length !== columns) {
      throw new DatasetError(file, where, `${cells.length} columns; expected ${columns} (as ${header ? 'in the header' : `on line ${first + 1}`})`);
    }
    rows.add(features(file, where, cells, labelAt), label(file, where, cells[labelAt], labelAt), where);
  }
  return rows.build(basename(file));
}

function labelIndex(file: string, header: string[] | null, columns: number, chosen: string | number | undefined): number {
  if (columns < 2) throw new DatasetError(file, 'line 1', 'expected a label column and at least one feature column');
  if (chosen === undefined) {
    const named = header?.findIndex((name) => LABEL_NAMES.includes(name.toLowerCase())) ?? -1;
    return named >= 0 ? named : 0;
  }
  const index = typeof chosen === 'number' ? chosen : /^\d+$/.test(chosen) ? Number(chosen) : (header?.indexOf(chosen) ?? -1);
  if (index < 0 || index >= columns) {
    const known = header ? `; columns: ${header.join(', ')}` : ` (the file has no header; ${columns} columns)`;
    throw new DatasetError(file, 'header', `no label column ${JSON.stringify(chosen)}${known}`);
  }
  return index;
}

function features(file: string, where: string, cells: string[], labelAt: number): Float32Array {
  const x = new Float32Array(cells.length - 1);
  let j = 0;
  cells.forEach((cell, column) => {
    if (column === labelAt) return;
    const value = cell === '' ? NaN : Number(cell);
    if (!Number.isFinite(value)) throw new DatasetError(file, `${where}, column ${column + 1}`, `${JSON.stringify(cell)} is not a finite number`);
    x[j++] = value;
  });
  return x;
}

function label(file: string, where: string, cell: string, labelAt: number): number {
  const y = parseLabel(cell);
  if (y === null) throw new DatasetError(file, `${where}, column ${labelAt + 1}`, `label ${JSON.stringify(cell)} is not a non-negative integer`);
  return y;
}

/** Splits a line on commas, trimming cells and one pair of surrounding double quotes. */
function splitCells(line: string): string[] {
  return line.split(',').map((cell) => cell.trim().replace(/^"(.*)"$/, '$1').trim());
}
