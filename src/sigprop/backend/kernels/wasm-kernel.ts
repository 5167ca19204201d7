import * as tf from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';

/** The arguments tfjs passes to a kernel registered for the wasm backend. */
export interface WasmKernelArgs {
  inputs: tf.NamedTensorInfoMap;
  backend: BackendWasm;
  attrs?: tf.NamedAttrMap;
}

/**
 * Runs the kernel `name` currently registered for wasm, directly on tensors of the wasm heap
 * (no tape, no engine bookkeeping): the caller owns the result and must release it with
 * {@link release} unless it returns it.
 * @throws Error when no such wasm kernel is registered.
 */
export function runWasmKernel(
  name: string,
  backend: BackendWasm,
  inputs: tf.NamedTensorInfoMap,
  attrs: tf.NamedAttrMap = {},
): tf.TensorInfo {
  return wasmKernel(name).kernelFunc({ inputs, backend, attrs }) as tf.TensorInfo;
}

/**
 * The kernel config registered for `name` on wasm.
 * @throws Error when there is none.
 */
export function wasmKernel(name: string): tf.KernelConfig {
  const config = tf.getKernel(name, 'wasm');
  if (!config) throw new Error(`wasm kernel '${name}' is not registered`);
  return config;
}

/** Frees intermediate results of {@link runWasmKernel}. */
export function release(backend: BackendWasm, ...tensors: tf.TensorInfo[]): void {
  for (const t of tensors) backend.disposeData(t.dataId);
}
