import * as tf from '@tensorflow/tfjs';
import { release, wasmKernel, type WasmKernelArgs } from './wasm-kernel.js';
import { noteKernel } from '../kernel-info.js';

/** Kernel functions installed by {@link registerFastBatchMatMulWasm}, to keep it idempotent. */
const installed = new WeakSet<tf.KernelFunc>();

/** Tile edge of {@link transposeInner}: a 32×32 float tile pair stays in L1 cache. */
const TILE = 32;

/**
 * A new wasm tensor holding `t` `[..., R, C]` with its two innermost axes swapped, `[..., C, R]`.
 * Blocked copy in JavaScript over views of the wasm heap: the stock wasm `Transpose` walks the
 * source with a fixed stride and takes ~60 ms for a 1024×1024 matrix here; tiles take a few ms.
 */
function transposeInner(backend: WasmKernelArgs['backend'], t: tf.TensorInfo): tf.TensorInfo {
  const rank = t.shape.length;
  const [rows, cols] = [t.shape[rank - 2], t.shape[rank - 1]];
  const out = backend.makeOutput([...t.shape.slice(0, -2), cols, rows], t.dtype);
  // Views only after makeOutput: allocating may grow the heap and detach older views.
  const src = backend.typedArrayFromHeap(t);
  const dst = backend.typedArrayFromHeap(out);
  for (let base = 0; base < src.length; base += rows * cols) {
    for (let i0 = 0; i0 < rows; i0 += TILE) {
      const iEnd = Math.min(i0 + TILE, rows);
      for (let j0 = 0; j0 < cols; j0 += TILE) {
        const jEnd = Math.min(j0 + TILE, cols);
        for (let i = i0; i < iEnd; i++) {
          for (let j = j0; j < jEnd; j++) dst[base + j * rows + i] = src[base + i * cols + j];
        }
      }
    }
  }
  return out;
}

/**
 * Wraps the stock wasm `BatchMatMul`: a product with `transposeA` or `transposeB` first
 * materialises the transposed operand ({@link transposeInner}) and then runs the plain product.
 * Why: XNNPACK's plain product runs ~20× faster than its transposed forms on this platform, and
 * the gradients of every dense layer are exactly those forms (`dy·Wᵀ`, `xᵀ·dy`). The values equal
 * the stock kernel's up to float rounding; inputs `a` `[..., M, K]` (or `[..., K, M]` with
 * `transposeA`), `b` `[..., K, P]` (or `[..., P, K]`), output `[..., M, P]`, batch axes broadcast.
 */
function fastBatchMatMul(stock: tf.KernelFunc): tf.KernelFunc {
  const kernel = ({ inputs, backend, attrs }: WasmKernelArgs): tf.TensorInfo => {
    const { a, b } = inputs as { a: tf.TensorInfo; b: tf.TensorInfo };
    const { transposeA, transposeB } = attrs as unknown as tf.BatchMatMulAttrs;
    if (!transposeA && !transposeB) return stock({ inputs, backend, attrs }) as tf.TensorInfo;
    const temps: tf.TensorInfo[] = [];
    const plain = (t: tf.TensorInfo, transposed: boolean): tf.TensorInfo => {
      if (!transposed) return t;
      const swapped = transposeInner(backend, t);
      temps.push(swapped);
      return swapped;
    };
    try {
      const plainInputs = { a: plain(a, transposeA), b: plain(b, transposeB) };
      return stock({ inputs: plainInputs, backend, attrs: { transposeA: false, transposeB: false } }) as tf.TensorInfo;
    } finally {
      release(backend, ...temps);
    }
  };
  return kernel as unknown as tf.KernelFunc;
}

/**
 * Replaces the wasm `BatchMatMul` kernel by {@link fastBatchMatMul} around the stock one.
 * Idempotent; keeps the stock setup (it binds the XNNPACK entry point when the backend starts).
 * @throws Error when the wasm backend module is not loaded (no stock kernel).
 */
export function registerFastBatchMatMulWasm(): void {
  const stock = wasmKernel(tf.BatchMatMul);
  noteKernel('wasm', tf.BatchMatMul, 'transpose first, then XNNPACK');
  if (installed.has(stock.kernelFunc)) return;
  const kernelFunc = fastBatchMatMul(stock.kernelFunc);
  installed.add(kernelFunc);
  tf.unregisterKernel(tf.BatchMatMul, 'wasm');
  tf.registerKernel({ ...stock, kernelFunc });
}
