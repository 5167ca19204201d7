import * as tf from '@tensorflow/tfjs';
import type { NativeKernels } from '../native.js';
import { memoryOf, type TensorMemory } from '../tensor-memory.js';
import { noteKernel } from '../kernel-info.js';

/** Shapes of one `BatchMatMul` call, in the terms of `NativeKernels.batchMatMul`. */
interface Plan {
  outShape: number[];
  batch: number;
  m: number;
  n: number;
  k: number;
  broadcastA: boolean;
  broadcastB: boolean;
}

/**
 * The shapes of `a·b` (tfjs `BatchMatMul` semantics: the last two axes multiply, optionally
 * transposed; batch axes broadcast), or null when the batch axes broadcast in a way other than
 * "equal sizes, or one side a single matrix" (left to the stock kernel).
 * @throws Error when the inner dimensions differ (tfjs's own check, same wording).
 */
function plan(a: tf.TensorInfo, b: tf.TensorInfo, transposeA: boolean, transposeB: boolean): Plan | null {
  const [ra, rb] = [a.shape.length, b.shape.length];
  const k = transposeA ? a.shape[ra - 2] : a.shape[ra - 1];
  const kB = transposeB ? b.shape[rb - 1] : b.shape[rb - 2];
  const m = transposeA ? a.shape[ra - 1] : a.shape[ra - 2];
  const n = transposeB ? b.shape[rb - 2] : b.shape[rb - 1];
  if (k !== kB) {
    throw new Error(`Error in matMul: inner shapes (${k}) and (${kB}) of Tensors with shapes ${a.shape} and ${b.shape} and transposeA=${transposeA} and transposeB=${transposeB} must match.`);
  }
  const outer = tf.backend_util.assertAndGetBroadcastShape(a.shape.slice(0, -2), b.shape.slice(0, -2));
  const batch = tf.util.sizeFromShape(outer);
  const [batchA, batchB] = [tf.util.sizeFromShape(a.shape.slice(0, -2)), tf.util.sizeFromShape(b.shape.slice(0, -2))];
  if ((batchA !== batch && batchA !== 1) || (batchB !== batch && batchB !== 1)) return null;
  return { outShape: [...outer, m, n], batch, m, n, k, broadcastA: batchA !== batch || batch === 1, broadcastB: batchB !== batch || batch === 1 };
}

/**
 * A `BatchMatMul` kernel computing with OpenBLAS `sgemm` directly on the backend's memory, for
 * every transpose form at the same speed (the gradients of a dense layer are the transposed
 * forms). Float32 only: other dtypes and unusual batch broadcasts go to `stock`. Inputs `a`
 * `[..., M, K]` (`[..., K, M]` with `transposeA`), `b` `[..., K, N]` (`[..., N, K]`), output
 * `[..., M, N]`; values equal the stock kernels' up to float rounding (summation order).
 */
function blasBatchMatMul(blas: NativeKernels, memory: (backend: unknown) => TensorMemory, stock: tf.KernelFunc): tf.KernelFunc {
  return ({ inputs, backend, attrs }) => {
    const { a, b } = inputs as { a: tf.TensorInfo; b: tf.TensorInfo };
    const { transposeA, transposeB } = attrs as unknown as tf.BatchMatMulAttrs;
    const shapes = a.dtype === 'float32' && b.dtype === 'float32' ? plan(a, b, transposeA, transposeB) : null;
    if (shapes === null) return stock({ inputs, backend, attrs });
    const { outShape, batch, m, n, k, broadcastA, broadcastB } = shapes;
    const mem = memory(backend);
    // Allocate first: on wasm, allocating may grow the heap and detach views taken before.
    const { out, values } = mem.allocate(outShape);
    // OpenBLAS rejects empty products (leading dimension 0); an empty sum is 0.
    if (k === 0) values.fill(0);
    else if (values.length > 0) blas.batchMatMul(mem.read(a), mem.read(b), values, batch, m, n, k, transposeA, transposeB, broadcastA, broadcastB);
    return out;
  };
}

/** Kernel functions installed by {@link registerBlasBatchMatMul}, to keep it idempotent. */
const installed = new WeakSet<tf.KernelFunc>();

/**
 * Replaces `backendName`'s `BatchMatMul` by {@link blasBatchMatMul} (falling back to the kernel
 * registered before). Idempotent.
 * @throws Error when `backendName` has no `BatchMatMul` registered (its module is not loaded).
 */
export function registerBlasBatchMatMul(blas: NativeKernels, backendName: 'wasm' | 'cpu'): void {
  const stock = tf.getKernel(tf.BatchMatMul, backendName);
  if (!stock) throw new Error(`${backendName} has no BatchMatMul kernel to replace`);
  const { threads, threadedMinWork } = blas.info();
  noteKernel(backendName, tf.BatchMatMul, `OpenBLAS sgemm, sgemv for one-row products (${threads} threads from ${threadedMinWork} multiply-adds, else 1)`);
  if (installed.has(stock.kernelFunc)) return;
  const kernelFunc = blasBatchMatMul(blas, (backend) => memoryOf(backend as tf.KernelBackend, backendName) as TensorMemory, stock.kernelFunc);
  installed.add(kernelFunc);
  tf.unregisterKernel(tf.BatchMatMul, backendName);
  tf.registerKernel({ ...stock, kernelFunc });
}
