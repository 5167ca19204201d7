import { describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { init, kernelInfo } from '../../src/sigprop/backend/index.js';

describe('Identity on wasm shares data instead of copying it', () => {
  it('is the installed kernel', async () => {
    await init({ backend: 'wasm' });
    expect(kernelInfo().kernels.Identity).toBe('shared data (no copy)');
  });

  it('a clone shares the data block; each keeps its values when the other is disposed; the block is freed with the last', async () => {
    await init({ backend: 'wasm' });
    const backend = tf.backend() as unknown as { refCount(id: object): number; numDataIds(): number };
    const before = backend.numDataIds();
    const x = tf.tensor2d([[1, 2], [3, 4]]);
    const y = tf.clone(x);
    expect(y.dataId).toBe(x.dataId);
    expect(backend.refCount(x.dataId)).toBe(2);
    x.dispose();
    expect(Array.from(y.dataSync())).toEqual([1, 2, 3, 4]);
    expect(backend.refCount(y.dataId)).toBe(1);
    y.dispose();
    expect(backend.numDataIds()).toBe(before);
  });

  it('works for every numeric dtype and for strings', async () => {
    await init({ backend: 'wasm' });
    tf.tidy(() => {
      expect(Array.from(tf.clone(tf.tensor1d([1, -2], 'int32')).dataSync())).toEqual([1, -2]);
      expect(Array.from(tf.clone(tf.tensor1d([true, false], 'bool')).dataSync())).toEqual([1, 0]);
      expect(tf.clone(tf.tensor1d(['a', 'b'], 'string')).arraySync()).toEqual(['a', 'b']);
    });
  });

  it('gradients that save tensors through Identity are unchanged', async () => {
    await init({ backend: 'wasm' });
    const x = tf.tensor1d([0.5, -1, 2]);
    const dx = tf.grad((v: tf.Tensor) => tf.sum(tf.mul(tf.clone(v), tf.clone(v))))(x);
    expect(Array.from(dx.dataSync())).toEqual([1, -2, 4]);
    tf.dispose([x, dx]);
  });
});
