import { describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { kernelInfo, nativeStatus } from '../../src/sigprop/backend/index.js';
import { LeakyReLU } from '../../src/sigprop/nn/index.js';
import { BACKENDS, useBackend } from '../helpers/backends.js';
import { seeded } from '../helpers/matmul.js';

// The one-kernel LeakyReLU needs the optional native kernels; without them the module runs
// tf.leakyRelu.

/** PyTorch's float32 LeakyReLU of `x` (and the gradient for `dy`): `x > 0 ? v : v·slope`, rounded to float32. */
function pytorch(x: Float32Array, v: Float32Array, slope: number): number[] {
  return Array.from(x, (xi, i) => (xi > 0 ? v[i] : Math.fround(v[i] * Math.fround(slope))));
}
describe.skipIf(!nativeStatus().loaded).each(BACKENDS)('one-kernel LeakyReLU on %s', (backend) => {
  it('is installed', async () => {
    await useBackend(backend);
    expect(kernelInfo().kernels.SigpropLeakyRelu).toMatch(/^native/);
  });

  it.each([[[5, 16]], [[2, 3, 4, 6]], [[1]]])('%j: output and gradient are PyTorch\'s float32 values exactly, zeros and signs included', async (shape) => {
    await useBackend(backend);
    const relu = new LeakyReLU(0.2);
    const base = seeded(shape, 1);
    // Exact zeros and negative zeros take the sides PyTorch gives them.
    const x = tf.tidy(() => tf.where(tf.less(tf.abs(base), 0.1), tf.mul(tf.sign(base), 0), base));
    const r = seeded(shape, 2);
    const gradient = tf.grad((v: tf.Tensor) => tf.sum(tf.mul(relu.forward(v), r)))(x);
    const [xs, rs] = [x.dataSync() as Float32Array, r.dataSync() as Float32Array];
    expect(Array.from(relu.forward(x).dataSync())).toEqual(pytorch(xs, xs, 0.2));
    expect(Array.from(gradient.dataSync())).toEqual(pytorch(xs, rs, 0.2));
    tf.dispose([base, x, r, gradient]);
  });

  it('leaves no tensors behind', async () => {
    await useBackend(backend);
    const x = seeded([3, 8], 1);
    const before = tf.memory().numTensors;
    const relu = new LeakyReLU();
    relu.forward(x).dispose();
    tf.grad((v: tf.Tensor) => tf.sum(relu.forward(v)))(x).dispose();
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose(x);
  });
});
