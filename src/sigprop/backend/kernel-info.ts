import * as tf from '@tensorflow/tfjs';
import { nativeStatus, type NativeStatus } from './native.js';

/** Which kernel implementations the library installed, per backend (for `/v1/info`, benchmarks). */
export interface KernelInfo {
  /** The active tfjs backend. */
  backend: string;
  /** Kernel name → implementation, for the kernels the library replaced on the active backend. */
  kernels: Record<string, string>;
  /** The optional native kernels: loaded or not (and why), OpenBLAS build and threads. */
  native: NativeStatus;
}

/** Backend → kernel → implementation, filled by the registration functions. */
const installed = new Map<string, Map<string, string>>();

/** Records that `kernel` on `backend` now runs `implementation` (a short description). */
export function noteKernel(backend: string, kernel: string, implementation: string): void {
  if (!installed.has(backend)) installed.set(backend, new Map());
  (installed.get(backend) as Map<string, string>).set(kernel, implementation);
}

/** The replaced kernels of the active backend and the native kernels' status. */
export function kernelInfo(): KernelInfo {
  const backend = tf.getBackend();
  return { backend, kernels: Object.fromEntries(installed.get(backend) ?? []), native: nativeStatus() };
}
