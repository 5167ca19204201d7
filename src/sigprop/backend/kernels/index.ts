import { registerConv2DBackpropFilterWasm } from './conv2d-backprop-filter.js';
import { registerFastBatchMatMulWasm } from './batch-mat-mul.js';
import { registerMaxPoolGradWasm } from './max-pool-grad.js';

/**
 * Completes, corrects and speeds up the wasm backend for training: adds the missing
 * `Conv2DBackpropFilter`, replaces the faulty `MaxPoolGrad` and installs the transpose-first
 * `BatchMatMul`. Idempotent. Call after the
 * `@tensorflow/tfjs-backend-wasm` module is loaded (it registers the stock kernels).
 */
export function registerWasmKernels(): void {
  registerConv2DBackpropFilterWasm();
  registerMaxPoolGradWasm();
  registerFastBatchMatMulWasm();
}
