import { Random } from '../../src/sigprop/utils/random.js';
import type { Dataset } from './dataset.js';

/** A copy of the dataset with its samples in a seeded random order (same seed, same order). */
export function shuffled(dataset: Dataset, seed: number): Dataset {
  const order = permutation(dataset.count, new Random(seed));
  const x = new Float32Array(dataset.x.length);
  const y = new Int32Array(dataset.count);
  order.forEach((from, to) => {
    x.set(dataset.x.subarray(from * dataset.features, (from + 1) * dataset.features), to * dataset.features);
    y[to] = dataset.y[from];
  });
  return { ...dataset, x, y };
}

/** The first `count` samples (all of them when `count` is larger), without copying. */
export function head(dataset: Dataset, count: number): Dataset {
  const n = Math.min(count, dataset.count);
  return { ...dataset, count: n, x: dataset.x.subarray(0, n * dataset.features), y: dataset.y.subarray(0, n) };
}

/** Fisher–Yates shuffle of 0..n-1. */
function permutation(n: number, random: Random): number[] {
  const p = Array.from({ length: n }, (_, i) => i);
  for (let i = n - 1; i > 0; i--) {
    const j = random.int(i + 1);
    [p[i], p[j]] = [p[j], p[i]];
  }
  return p;
}
