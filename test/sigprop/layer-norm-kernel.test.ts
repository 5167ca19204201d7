import { describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { kernelInfo, nativeStatus } from '../../src/sigprop/backend/index.js';
import { LayerNorm } from '../../src/sigprop/nn/index.js';
import { BACKENDS, useBackend } from '../helpers/backends.js';
import { relativeError } from '../helpers/fixtures.js';
import { seeded } from '../helpers/matmul.js';

/** LayerNorm written with tfjs ops (what the one-kernel version replaces). */
function composed(x: tf.Tensor, gamma: tf.Tensor, beta: tf.Tensor, k: number, eps: number): tf.Tensor {
  const axes = Array.from({ length: k }, (_, i) => x.rank - k + i);
  const { mean, variance } = tf.moments(x, axes, true);
  return tf.add(tf.mul(tf.mul(tf.sub(x, mean), tf.rsqrt(tf.add(variance, eps))), gamma), beta);
}

// The one-kernel LayerNorm needs the optional native kernels (without-native.test.ts covers the
// tfjs-ops path).
describe.skipIf(!nativeStatus().loaded).each(BACKENDS)('one-kernel LayerNorm on %s', (backend) => {
  it('is installed', async () => {
    await useBackend(backend);
    expect(kernelInfo().kernels.SigpropLayerNorm).toMatch(/^native/);
  });

  it.each([
    { input: [5, 16], shape: [16] },
    { input: [1, 1024], shape: [1024] },
    { input: [2, 3, 4, 6], shape: [3, 4, 6] },
    { input: [2, 3, 8], shape: [8] },
  ])('$input over $shape: output and gradients of x, gamma and beta equal the tfjs-ops version', async ({ input, shape }) => {
    await useBackend(backend);
    const ln = new LayerNorm(shape, { eps: 1e-5 });
    (ln.gamma as tf.Variable).assign(tf.add(seeded(shape, 2), 1));
    (ln.beta as tf.Variable).assign(seeded(shape, 3));
    const [x, r] = [seeded(input, 1), seeded(input, 4)];
    const loss = (f: (x: tf.Tensor, g: tf.Tensor, b: tf.Tensor) => tf.Tensor) => (xv: tf.Tensor, g: tf.Tensor, b: tf.Tensor) => tf.sum(tf.mul(f(xv, g, b), r));
    const fused = tf.grads(loss((xv) => ln.forward(xv)))([x, ln.gamma as tf.Tensor, ln.beta as tf.Tensor]);
    const reference = tf.grads(loss((xv, g, b) => composed(xv, g, b, shape.length, 1e-5)))([x, ln.gamma as tf.Tensor, ln.beta as tf.Tensor]);
    expect(relativeError(ln.forward(x).dataSync(), composed(x, ln.gamma as tf.Tensor, ln.beta as tf.Tensor, shape.length, 1e-5).dataSync())).toBeLessThan(1e-5);
    fused.forEach((g, i) => expect(relativeError(g.dataSync(), reference[i].dataSync()), `gradient ${i}`).toBeLessThan(1e-4));
    tf.dispose([x, r, ...fused, ...reference]);
    ln.dispose();
  });

  it('leaves no tensors behind', async () => {
    await useBackend(backend);
    const ln = new LayerNorm(8);
    const x = seeded([3, 8], 1);
    const before = tf.memory().numTensors;
    ln.forward(x).dispose();
    const { value, grads } = tf.variableGrads(() => tf.sum(ln.forward(x)) as tf.Scalar, ln.parameters());
    tf.dispose([value, ...Object.values(grads)]);
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose(x);
    ln.dispose();
  });
});
