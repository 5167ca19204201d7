import { registerConv2DBackpropFilterWasm } from './conv2d-backprop-filter.js';
import { registerFastBatchMatMulWasm } from './batch-mat-mul.js';
import { registerBlasBatchMatMul } from './batch-mat-mul-blas.js';
import { registerMaxPoolGradWasm } from './max-pool-grad.js';
import { registerSharedIdentityWasm } from './identity.js';
import { registerLayerNormKernels } from './layer-norm.js';
import { registerLeakyReluKernels } from './leaky-relu.js';
import { loadNative } from '../native.js';

/**
 * Completes, corrects and speeds up the wasm backend for training: adds the missing
 * `Conv2DBackpropFilter`, replaces the faulty `MaxPoolGrad`, makes `Identity` share data, and
 * when the optional native kernels load installs their `BatchMatMul` (OpenBLAS) and one-kernel
 * LayerNorm and LeakyReLU, else the transpose-first `BatchMatMul`. Idempotent. Call after the `@tensorflow/tfjs-backend-wasm` module is loaded
 * (it registers the stock kernels).
 */
export function registerWasmKernels(): void {
  registerConv2DBackpropFilterWasm();
  registerMaxPoolGradWasm();
  registerSharedIdentityWasm();
  const native = loadNative();
  if (native) {
    registerBlasBatchMatMul(native, 'wasm');
    registerLayerNormKernels(native, 'wasm');
    registerLeakyReluKernels(native, 'wasm');
  } else registerFastBatchMatMulWasm();
}

/** Installs the OpenBLAS `BatchMatMul` and the native LayerNorm and LeakyReLU on the cpu backend when the native kernels load. Idempotent. */
export function registerCpuKernels(): void {
  const native = loadNative();
  if (native) {
    registerBlasBatchMatMul(native, 'cpu');
    registerLayerNormKernels(native, 'cpu');
    registerLeakyReluKernels(native, 'cpu');
  }
}
