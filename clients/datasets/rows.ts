import { DatasetError, type Dataset } from './dataset.js';

/**
 * Collects the samples of a text dataset (CSV, NDJSON) row by row and packs them into a
 * {@link Dataset}. The first row fixes the number of features; parsers check later rows
 * against {@link features} to report mismatches in their own terms.
 */
export class DatasetRows {
  private readonly rows: Float32Array[] = [];
  private readonly labels: number[] = [];
  /** Where the first row was (for messages: "as on line 2"). */
  firstWhere = '';

  constructor(readonly file: string) {}

  /** Features per sample, once a row was added. */
  get features(): number | null {
    return this.rows[0]?.length ?? null;
  }

  /** Adds a sample; `y` is −1 for an unlabelled one. */
  add(x: Float32Array, y: number, where: string): void {
    if (this.rows.length === 0) this.firstWhere = where;
    this.rows.push(x);
    this.labels.push(y);
  }

  /** The dataset. @throws DatasetError when no sample was added. */
  build(name: string): Dataset {
    const features = this.features;
    if (features === null) throw new DatasetError(this.file, '', 'no samples: the file has no data rows');
    const x = new Float32Array(this.rows.length * features);
    this.rows.forEach((row, i) => x.set(row, i * features));
    return { name, count: this.rows.length, shape: [features], features, x, y: Int32Array.from(this.labels) };
  }
}

/** Parses a label: empty/absent is −1 (unlabelled); otherwise a non-negative integer. Returns null when invalid. */
export function parseLabel(raw: unknown): number | null {
  if (raw === undefined || raw === null || raw === '') return -1;
  const value = typeof raw === 'string' && /^\s*\d+\s*$/.test(raw) ? Number(raw) : raw;
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0 ? value : null;
}
