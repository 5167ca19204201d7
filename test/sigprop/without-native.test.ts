import { describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { init, kernelInfo } from '../../src/sigprop/backend/index.js';
import { matMulCases, referenceMatMul, seeded } from '../helpers/matmul.js';
import { relativeError } from '../helpers/fixtures.js';

// The wasm BatchMatMul used when the optional OpenBLAS kernels are absent. Each test file runs
// in its own process, so disabling them here does not affect the other files.
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
