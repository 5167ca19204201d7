import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs';

/** Where the golden values live: `../shared/fixtures` next to the project checkout. */
export const fixturesDir = resolve(dirname(fileURLToPath(import.meta.url)), '../../../shared/fixtures');

/** A stored tensor: shape and row-major data. */
export interface StoredTensor {
  shape: number[];
  data: number[];
}

/** Reads `name` from the fixtures folder. */
export function loadFixture<T>(name: string): T {
  return JSON.parse(readFileSync(resolve(fixturesDir, name), 'utf8')) as T;
}

/** A stored tensor as a float32 tensor; 4-d ones (NCHW in the reference) become NHWC. */
export function toTensor(stored: StoredTensor): tf.Tensor {
  const t = tf.tensor(stored.data, stored.shape, 'float32');
  if (stored.shape.length !== 4) return t;
  const nhwc = t.transpose([0, 2, 3, 1]);
  t.dispose();
  return nhwc;
}

/** Largest |actual − expected| divided by the largest |expected| (0 when both are 0). */
export function relativeError(actual: ArrayLike<number>, expected: ArrayLike<number>): number {
  if (actual.length !== expected.length) throw new Error(`length ${actual.length} != ${expected.length}`);
  let diff = 0;
  let scale = 0;
  for (let i = 0; i < expected.length; i++) {
    diff = Math.max(diff, Math.abs(actual[i] - expected[i]));
    scale = Math.max(scale, Math.abs(expected[i]));
  }
  return scale === 0 ? diff : diff / scale;
}

/** The values of a tensor in the reference's layout (NHWC → NCHW for 4-d). */
export function referenceLayout(t: tf.Tensor): Float32Array {
  return tf.tidy(() => (t.rank === 4 ? t.transpose([0, 3, 1, 2]) : t).dataSync() as Float32Array);
}
