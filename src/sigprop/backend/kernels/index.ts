import { registerConv2DBackpropFilterWasm } from './conv2d-backprop-filter.js';
import { registerFastBatchMatMulWasm } from './batch-mat-mul.js';
import { registerBlasBatchMatMul } from './batch-mat-mul-blas.js';
import { registerMaxPoolGradWasm } from './max-pool-grad.js';
import { registerSharedIdentityWasm } from './identity.js';
import { loadNative } from '../native.js';

/**
 * Completes, corrects and speeds up the wasm backend for training: adds the missing
 * `Conv2DBackpropFilter`, replaces the faulty `MaxPoolGrad`, makes `Identity` share data, and
 * installs the OpenBLAS `BatchMatMul` when the optional native kernels load, else the
 * transpose-first one. Idempotent. Call after the `@tensorflow/tfjs-backend-wasm` module is loaded
 * (it registers the stock kernels).
 */
export function registerWasmKernels(): void {
  registerConv2DBackpropFilterWasm();
  registerMaxPoolGradWasm();
  registerSharedIdentityWasm();
  const blas = loadNative();
  if (blas) registerBlasBatchMatMul(blas, 'wasm');
  else registerFastBatchMatMulWasm();
}

/** Installs the OpenBLAS `BatchMatMul` on the cpu backend when the native kernels load. Idempotent. */
export function registerCpuKernels(): void {
  const blas = loadNative();
  if (blas) registerBlasBatchMatMul(blas, 'cpu');
}
