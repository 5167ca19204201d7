import * as tf from '@tensorflow/tfjs';

// The targets are computed in JS from the values of `yy` ([N, M], M ≤ a batch): they carry no
// gradient, and tfjs builds them from ~7 broadcasting kernels each, which on wasm cost ~4 ms per
// layer at N = M = 128 (profiled) against ~0.1 ms for a read-back and a loop.

/**
 * Index of the first maximum of each row of `yy` `[N, M]` → int32 `[N]`. Ties go to the lowest
 * index (the rule the fixtures were made with), independent of the backend's argMax; NaN
 * entries are never the maximum.
 */
export function firstRowArgmax(yy: tf.Tensor2D): tf.Tensor1D {
  const [n, m] = yy.shape;
  const values = yy.dataSync();
  const index = new Int32Array(n);
  for (let i = 0; i < n; i++) index[i] = firstMax(values, i * m, m);
  return tf.tensor1d(index, 'int32');
}

/** 0/1 float mask `[N, M]` of every entry equal to its row's maximum. */
export function rowMaxMask(yy: tf.Tensor2D): tf.Tensor2D {
  const [n, m] = yy.shape;
  const values = yy.dataSync();
  const mask = new Float32Array(n * m);
  for (let i = 0; i < n; i++) {
    const max = values[i * m + firstMax(values, i * m, m)];
    for (let j = 0; j < m; j++) mask[i * m + j] = values[i * m + j] === max ? 1 : 0;
  }
  return tf.tensor2d(mask, [n, m]);
}

/**
 * 0/1 float mask `[N, M]` of the `k` largest entries of each row; among equal values the lowest
 * indices win (the rule the fixtures were made with).
 * @throws Error when k is not an integer in [1, M].
 */
export function rowTopkMask(yy: tf.Tensor2D, k: number): tf.Tensor2D {
  const [n, m] = yy.shape;
  if (!Number.isInteger(k) || k < 1 || k > m) {
    throw new Error(`top-k: k is ${k}; expected an integer in [1, ${m}] (the number of target rows)`);
  }
  const values = yy.dataSync();
  const mask = new Float32Array(n * m);
  const order = Array.from({ length: m }, (_, j) => j);
  for (let i = 0; i < n; i++) {
    const row = values.subarray(i * m, (i + 1) * m);
    // Stable order by value, largest first; NaN last.
    order.sort((a, b) => rank(row[b]) - rank(row[a]) || a - b);
    for (let r = 0; r < k; r++) mask[i * m + order[r]] = 1;
  }
  return tf.tensor2d(mask, [n, m]);
}

/** Offset (from `start`) of the first largest of `m` values; 0 when all are NaN. */
function firstMax(values: ArrayLike<number>, start: number, m: number): number {
  let best = 0;
  for (let j = 1; j < m; j++) {
    const v = values[start + j];
    if (v > values[start + best] || (Number.isNaN(values[start + best]) && !Number.isNaN(v))) best = j;
  }
  return best;
}

function rank(value: number): number {
  return Number.isNaN(value) ? -Infinity : value;
}
