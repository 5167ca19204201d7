import { describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { init, kernelInfo } from '../../src/sigprop/backend/index.js';
import { LayerNorm } from '../../src/sigprop/nn/index.js';
import { optim } from '../../src/sigprop/index.js';
import { matMulCases, referenceMatMul, seeded } from '../helpers/matmul.js';
import { relativeError } from '../helpers/fixtures.js';
import { BACKENDS, useBackend } from '../helpers/backends.js';

// The paths taken when the optional native kernels are absent. Each test file runs in its own
// process, so disabling them here does not affect the other files.
process.env.SIGPROP_NATIVE = '0';

describe('transpose-first BatchMatMul on wasm (without the native kernels)', () => {
  it('is the installed kernel, and the native kernels report why they are off', async () => {
    await init({ backend: 'wasm' });
    expect(kernelInfo().kernels.BatchMatMul).toBe('transpose first, then XNNPACK');
    expect(kernelInfo().native).toEqual({ loaded: false, reason: 'disabled by SIGPROP_NATIVE=0' });
  });

  for (const c of matMulCases()) {
    it(`a ${JSON.stringify(c.a)} b ${JSON.stringify(c.b)} transposeA=${c.ta} transposeB=${c.tb} equals the definition`, async () => {
      await init({ backend: 'wasm' });
      const [a, b] = [seeded(c.a, 1), seeded(c.b, 2)];
      const product = tf.matMul(a, b, c.ta, c.tb);
      const expected = referenceMatMul(c, a.dataSync() as Float32Array, b.dataSync() as Float32Array);
      expect(relativeError(product.dataSync(), expected)).toBeLessThan(1e-5);
      tf.dispose([a, b, product]);
    });
  }
});

describe.each(BACKENDS)('LayerNorm and the optimizer on %s without the native kernels', (backend) => {
  it('LayerNorm runs as tfjs ops: no fused kernel, PyTorch values', async () => {
    await useBackend(backend);
    expect(kernelInfo().kernels.SigpropLayerNorm).toBeUndefined();
    const ln = new LayerNorm(4);
    const y = ln.forward(tf.tensor2d([[1, 2, 3, 4], [2, 2, 2, 6]]));
    // (x − mean)/√(var + 1e-5), var biased: rows [−1.342, −0.447, 0.447, 1.342] and [−0.577 ×3, 1.732].
    expect(relativeError(y.dataSync(), [-1.3416, -0.4472, 0.4472, 1.3416, -0.57735, -0.57735, -0.57735, 1.73204])).toBeLessThan(1e-4);
    tf.dispose(y);
    ln.dispose();
  });

  it('Adam runs the JavaScript loop in place: PyTorch\'s first step moves each weight by lr·sign(grad)', async () => {
    await useBackend(backend);
    const init = tf.tensor1d([1, -2, 3]);
    const w = tf.variable(init);
    init.dispose();
    const id = w.dataId;
    const optimizer = new optim.Optimizer({ kind: 'adam', lr: 0.1 }, [w]);
    optimizer.apply({ [w.name]: tf.tensor1d([0.5, -0.25, 2]) });
    expect(w.dataId).toBe(id);
    expect(relativeError(w.dataSync(), [0.9, -1.9, 2.9])).toBeLessThan(1e-6);
    optimizer.dispose();
    w.dispose();
  });
});
