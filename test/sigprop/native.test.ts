import { describe, expect, it } from 'vitest';
import { Worker } from 'node:worker_threads';
import { createRequire } from 'node:module';
import * as tf from '@tensorflow/tfjs';
import { init, kernelInfo, loadNative, nativeStatus, type NativeKernels } from '../../src/sigprop/backend/index.js';
import { adamCorrections, adamUpdate, momentumUpdate, sgdUpdate } from '../../src/sigprop/optim/update-rules.js';
import { Random } from '../../src/sigprop/utils/random.js';
import { matMulCases, referenceMatMul, seeded } from '../helpers/matmul.js';
import { relativeError } from '../helpers/fixtures.js';

// The native kernels are optional (built only where libopenblas-dev is installed): without
// them there is nothing to test here, and the other tests cover the fallbacks.
describe.skipIf(!nativeStatus().loaded).each(['cpu', 'wasm'] as const)('OpenBLAS BatchMatMul on %s', (backend) => {
  it('is the installed kernel', async () => {
    await init({ backend });
    expect(kernelInfo().kernels.BatchMatMul).toMatch(/^OpenBLAS sgemm/);
    expect(kernelInfo().native).toMatchObject({ loaded: true });
  });

  for (const c of matMulCases()) {
    it(`a ${JSON.stringify(c.a)} b ${JSON.stringify(c.b)} transposeA=${c.ta} transposeB=${c.tb} equals the definition`, async () => {
      await init({ backend });
      const [a, b] = [seeded(c.a, 1), seeded(c.b, 2)];
      const product = tf.matMul(a, b, c.ta, c.tb);
      const expected = referenceMatMul(c, a.dataSync() as Float32Array, b.dataSync() as Float32Array);
      expect(relativeError(product.dataSync(), expected)).toBeLessThan(1e-5);
      tf.dispose([a, b, product]);
    });
  }

  it('gives zeros for an empty inner dimension and an empty result for an empty outer one', async () => {
    await init({ backend });
    tf.tidy(() => {
      expect(Array.from(tf.matMul(tf.zeros([3, 0]), tf.zeros([0, 2])).dataSync())).toEqual([0, 0, 0, 0, 0, 0]);
      expect(tf.matMul(tf.zeros([0, 4]), tf.ones([4, 2])).shape).toEqual([0, 2]);
    });
  });

  it('leaves no tensors behind, and gradients through it match the definition', async () => {
    await init({ backend });
    const [x, w] = [seeded([6, 5], 3), seeded([5, 4], 4)];
    const before = tf.memory().numTensors;
    const dw = tf.grad((v: tf.Tensor) => tf.sum(tf.matMul(x, v)))(w);
    expect(tf.memory().numTensors).toBe(before + 1);
    // d/dW Σ x·W = xᵀ·1: every row of dW is the column sums of x.
    const xs = x.arraySync() as number[][];
    const expected = xs[0].map((_, r) => xs.reduce((s, row) => s + row[r], 0)).flatMap((s) => [s, s, s, s]);
    expect(relativeError(dw.dataSync(), expected)).toBeLessThan(1e-6);
    tf.dispose([x, w, dw]);
  });
});

describe.skipIf(!nativeStatus().loaded)('native optimizer updates', () => {
  const n = 1000;
  const arrays = (seed: number): Float32Array[] => [0, 1, 2, 3].map((k) => Float32Array.from(new Random(seed + k).uniform(n, 1)));
  // The native loops round every operation to float32 (PyTorch's arithmetic), the JavaScript ones
  // only the stored values: they agree to float32 rounding.
  const close = (actual: Float32Array, expected: Float32Array): void => expect(relativeError(actual, expected)).toBeLessThan(1e-6);

  it.each([0, 1e-2])('Adam agrees with update-rules.ts (weight decay %s), in place and out of place', (weightDecay) => {
    const native = loadNative() as NativeKernels;
    const c = { lr: 1e-3, weightDecay, beta1: 0.9, beta2: 0.999, epsilon: 1e-8, step: 7 };
    const [p, g, m, v] = arrays(1);
    v.forEach((x, i) => (v[i] = Math.abs(x)));
    const js = [p, m, v].map((a) => a.slice());
    adamUpdate(p, g, m, v, js[0], js[1], js[2], c);
    const out = [p, m, v].map(() => new Float32Array(n));
    const { stepSize, correction2 } = adamCorrections(c);
    native.adamUpdate(p, g, m, v, out[0], out[1], out[2], stepSize, correction2, weightDecay, c.beta1, c.beta2, c.epsilon);
    out.forEach((a, i) => close(a, js[i]));
    native.adamUpdate(p, g, m, v, p, m, v, stepSize, correction2, weightDecay, c.beta1, c.beta2, c.epsilon);
    [p, m, v].forEach((a, i) => expect(a).toEqual(out[i]));
  });

  it('momentum and SGD agree with update-rules.ts', () => {
    const native = loadNative() as NativeKernels;
    const [p, g, b] = arrays(2);
    const [pJs, bJs] = [new Float32Array(n), new Float32Array(n)];
    momentumUpdate(p, g, b, pJs, bJs, { lr: 0.05, weightDecay: 1e-3, momentum: 0.9 });
    const [pN, bN] = [new Float32Array(n), new Float32Array(n)];
    native.momentumUpdate(p, g, b, pN, bN, 0.05, 1e-3, 0.9);
    close(pN, pJs);
    close(bN, bJs);
    sgdUpdate(p, g, pJs, { lr: 0.1, weightDecay: 1e-2 });
    native.sgdUpdate(p, g, pN, 0.1, 1e-2);
    close(pN, pJs);
  });

  it('rejects arrays of different lengths and non-float arrays', () => {
    const native = loadNative() as NativeKernels;
    const [a, b] = [new Float32Array(3), new Float32Array(4)];
    expect(() => native.sgdUpdate(a, b, a, 0.1, 0)).toThrow(/equal lengths/);
    expect(() => native.sgdUpdate(a, new Float64Array(3) as unknown as Float32Array, a, 0.1, 0)).toThrow(/Float32Arrays/);
    expect(() => native.batchMatMul(a, a, a, 1, 2, 2, 2, false, false, false, false)).toThrow(/shorter than its matrices/);
  });
});

/**
 * A worker's source: multiplies `[m, n, k]` products of seeded matrices (small ones run on one
 * OpenBLAS thread, large ones on all) and posts how many differ from the double-precision sums.
 */
const CONCURRENT_WORKER = `
const { parentPort, workerData } = require('node:worker_threads');
const native = require(workerData.path);
let x = workerData.seed;
const rnd = () => ((x = (x * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff) - 0.5;
let wrong = 0;
for (const [m, n, k] of [[1, 64, 64], [320, 320, 320], [8, 200, 100]]) {
  const a = Float32Array.from({ length: m * k }, rnd), b = Float32Array.from({ length: k * n }, rnd);
  const c = new Float32Array(m * n);
  for (let round = 0; round < 20; round++) {
    native.batchMatMul(a, b, c, 1, m, n, k, false, false, false, false);
    for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) {
      let s = 0;
      for (let q = 0; q < k; q++) s += a[i * k + q] * b[q * n + j];
      if (Math.abs(c[i * n + j] - s) > 1e-4 * (1 + Math.abs(s))) { wrong++; round = 20; i = m; break; }
    }
  }
}
parentPort.postMessage(wrong);
`;

describe.skipIf(!nativeStatus().loaded)('native kernels in worker threads', () => {
  it('load in workers, and products running at the same time in several threads are all right', async () => {
    const path = createRequire(import.meta.url).resolve('sigprop-native');
    const results = await Promise.all([1, 2, 3].map((seed) => new Promise((resolve, reject) => {
      const worker = new Worker(CONCURRENT_WORKER, { eval: true, workerData: { path, seed } });
      worker.once('message', resolve);
      worker.once('error', reject);
    })));
    expect(results).toEqual([0, 0, 0]);
  });
});
