import * as tf from '@tensorflow/tfjs';
import { Random } from '../../src/sigprop/utils/random.js';

/** The `BatchMatMul` cases the fast paths must get right: every transpose form, batches, broadcasts. */
export interface MatMulCase {
  a: number[];
  b: number[];
  ta: boolean;
  tb: boolean;
}

/** Every transpose combination over rank 2, rank 3, broadcast batches and odd sizes. */
export function matMulCases(): MatMulCase[] {
  const cases: MatMulCase[] = [];
  for (const ta of [false, true]) {
    for (const tb of [false, true]) {
      const shape = (batch: number[], rows: number, cols: number, t: boolean): number[] => [...batch, ...(t ? [cols, rows] : [rows, cols])];
      cases.push({ a: shape([], 5, 7, ta), b: shape([], 7, 3, tb), ta, tb });
      cases.push({ a: shape([], 1, 64, ta), b: shape([], 64, 33, tb), ta, tb });
      // One row per matrix, batched and broadcast (the native kernel's matrix-vector path).
      cases.push({ a: shape([3], 1, 9, ta), b: shape([1], 9, 4, tb), ta, tb });
      cases.push({ a: shape([1], 1, 9, ta), b: shape([3], 9, 4, tb), ta, tb });
      cases.push({ a: shape([4], 5, 7, ta), b: shape([4], 7, 3, tb), ta, tb });
      cases.push({ a: shape([2], 5, 7, ta), b: shape([1], 7, 3, tb), ta, tb });
      cases.push({ a: shape([1], 5, 7, ta), b: shape([3], 7, 3, tb), ta, tb });
      cases.push({ a: shape([2, 3], 45, 67, ta), b: shape([2, 3], 67, 33, tb), ta, tb });
    }
  }
  return cases;
}

/** A deterministic float32 tensor (the same values on every backend). */
export function seeded(shape: number[], seed: number): tf.Tensor {
  return tf.tensor(new Random(seed).uniform(tf.util.sizeFromShape(shape), 1), shape);
}

/** `op(a)·op(b)` in double precision, straight from the definition (batches broadcast from size 1). */
export function referenceMatMul(c: MatMulCase, a: Float32Array, b: Float32Array): Float64Array {
  const [m, k] = c.ta ? [c.a.at(-1)!, c.a.at(-2)!] : [c.a.at(-2)!, c.a.at(-1)!];
  const n = c.tb ? c.b.at(-2)! : c.b.at(-1)!;
  const [batchA, batchB] = [tf.util.sizeFromShape(c.a.slice(0, -2)), tf.util.sizeFromShape(c.b.slice(0, -2))];
  const batch = Math.max(batchA, batchB);
  const out = new Float64Array(batch * m * n);
  for (let s = 0; s < batch; s++) {
    const [oa, ob] = [(batchA === 1 ? 0 : s) * m * k, (batchB === 1 ? 0 : s) * k * n];
    for (let i = 0; i < m; i++) {
      for (let j = 0; j < n; j++) {
        let sum = 0;
        for (let q = 0; q < k; q++) sum += a[oa + (c.ta ? q * m + i : i * k + q)] * b[ob + (c.tb ? j * k + q : q * n + j)];
        out[s * m * n + i * n + j] = sum;
      }
    }
  }
  return out;
}
