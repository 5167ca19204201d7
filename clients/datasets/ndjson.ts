import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { DatasetError, type Dataset } from './dataset.js';
import { DatasetRows, parseLabel } from './rows.js';

/**
 * Reads an NDJSON file: one JSON object per line, `{"x":[...],"y":3}`; `y` may be left out (or
 * null) for an unlabelled sample. Blank lines are skipped.
 * @throws DatasetError naming the line of the first problem and what was wrong.
 */
export function loadNdjson(file: string): Dataset {
  return parseNdjson(readFileSync(file, 'utf8'), file);
}

/** Parses NDJSON text (see {@link loadNdjson}); `file` names it in errors (`-` for stdin). */
export function parseNdjson(text: string, file: string): Dataset {
  const rows = new DatasetRows(file);
  text.split(/\r?\n/).forEach((line, i) => {
    if (line.trim() === '') return;
    const where = `line ${i + 1}`;
    const record = parseRecord(file, where, line);
    rows.add(input(file, where, record.x, rows), label(file, where, record.y), where);
  });
  return rows.build(file === '-' ? 'stdin' : basename(file));
}

function parseRecord(file: string, where: string, line: string): { x?: unknown; y?: unknown } {
  let record: unknown;
  try {
    record = JSON.parse(line);
  } catch (error) {
    throw new DatasetError(file, where, `invalid JSON: ${(error as Error).message}`);
  }
  if (typeof record !== 'object' || record === null || Array.isArray(record)) {
    throw new DatasetError(file, where, 'expected an object like {"x":[...],"y":3}');
  }
  return record;
}

function input(file: string, where: string, x: unknown, rows: DatasetRows): Float32Array {
  if (x === undefined) throw new DatasetError(file, where, '"x" is missing; expected an array of numbers');
  if (!Array.isArray(x)) throw new DatasetError(file, where, `"x" is ${typeof x}; expected an array of numbers`);
  const expected = rows.features;
  if (expected !== null && x.length !== expected) {
    throw new DatasetError(file, where, `"x" has ${x.length} values; expected ${expected} (as on ${rows.firstWhere})`);
  }
  if (x.length === 0) throw new DatasetError(file, where, '"x" is empty');
  const values = new Float32Array(x.length);
  x.forEach((v, j) => {
    if (typeof v !== 'number' || !Number.isFinite(v)) throw new DatasetError(file, where, `x[${j}] is ${JSON.stringify(v)}; expected a finite number`);
    values[j] = v;
  });
  return values;
}

function label(file: string, where: string, y: unknown): number {
  const parsed = typeof y === 'string' ? null : parseLabel(y);
  if (parsed === null) throw new DatasetError(file, where, `"y" is ${JSON.stringify(y)}; expected a non-negative integer label (or no "y")`);
  return parsed;
}
