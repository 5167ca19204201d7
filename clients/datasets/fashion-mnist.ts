import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { loadIdxDataset } from './idx.js';
import type { Dataset } from './dataset.js';

/** Where Debian's `dataset-fashion-mnist` package puts the four IDX files. */
export const FASHION_MNIST_DIR = '/usr/share/datasets/fashion-mnist';

/** True when the Fashion-MNIST files are installed in `dir`. */
export function hasFashionMnist(dir = FASHION_MNIST_DIR): boolean {
  return existsSync(join(dir, 'train-images-idx3-ubyte.gz')) && existsSync(join(dir, 't10k-labels-idx1-ubyte.gz'));
}

/**
 * Loads Fashion-MNIST's training (60,000) or test (10,000) split: 784 features in [0, 1],
 * labels 0–9. @throws DatasetError when the files are missing or malformed (install
 * `dataset-fashion-mnist` with apt).
 */
export function loadFashionMnist(split: 'train' | 'test', dir = FASHION_MNIST_DIR): Dataset {
  const prefix = split === 'train' ? 'train' : 't10k';
  return loadIdxDataset(join(dir, `${prefix}-images-idx3-ubyte.gz`), join(dir, `${prefix}-labels-idx1-ubyte.gz`), `fashion-mnist-${split}`);
}

/**
 * Standardises pixels in place with the mean and std the reference benchmark uses for
 * Fashion-MNIST (0.286, 0.353): `(x − 0.286) / 0.353`.
 */
export function standardizeFashionMnist(dataset: Dataset): Dataset {
  for (let i = 0; i < dataset.x.length; i++) dataset.x[i] = (dataset.x[i] - 0.286) / 0.353;
  return dataset;
}
