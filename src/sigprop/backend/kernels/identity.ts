import * as tf from '@tensorflow/tfjs';
import { wasmKernel, type WasmKernelArgs } from './wasm-kernel.js';
import { noteKernel } from '../kernel-info.js';

/**
 * `Identity` for the wasm backend that shares the input's data (one more reference to the same
 * heap block) instead of copying it, as the cpu backend and the wasm `Reshape` do. Every
 * `tf.clone`, `tf.keep` of a clone and every tensor the gradient tape saves through `Identity`
 * was a full memcpy on wasm. Safe because tfjs never writes into a tensor's data; the only
 * in-place writers here (the fused optimizer) check the reference count first.
 * Input `x` (any shape, any non-string dtype); output: the same data, shape and dtype.
 */
function sharedIdentity(stock: tf.KernelFunc): tf.KernelFunc {
  const kernel = ({ inputs, backend, attrs }: WasmKernelArgs): tf.TensorInfo => {
    const { x } = inputs as { x: tf.TensorInfo };
    // Strings live in JavaScript, not on the heap: the stock kernel handles them.
    if (x.dtype === 'string') return stock({ inputs, backend, attrs }) as tf.TensorInfo;
    backend.incRef(x.dataId);
    return { dataId: x.dataId, shape: x.shape, dtype: x.dtype };
  };
  return kernel as unknown as tf.KernelFunc;
}

/** Kernel functions installed by {@link registerSharedIdentityWasm}, to keep it idempotent. */
const installed = new WeakSet<tf.KernelFunc>();

/**
 * Replaces the wasm `Identity` by {@link sharedIdentity}. Idempotent.
 * @throws Error when the wasm backend module is not loaded.
 */
export function registerSharedIdentityWasm(): void {
  const stock = wasmKernel(tf.Identity);
  noteKernel('wasm', tf.Identity, 'shared data (no copy)');
  if (installed.has(stock.kernelFunc)) return;
  const kernelFunc = sharedIdentity(stock.kernelFunc);
  installed.add(kernelFunc);
  tf.unregisterKernel(tf.Identity, 'wasm');
  tf.registerKernel({ ...stock, kernelFunc });
}
