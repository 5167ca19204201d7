import * as tf from '@tensorflow/tfjs';
import type { WasmKernelArgs } from './wasm-kernel.js';

/**
 * `MaxPoolGrad` for the wasm backend, replacing the stock one, which is wrong in tfjs 4.22: its
 * running maximum starts at `std::numeric_limits<float>::min()` (the smallest *positive* float),
 * so a window whose values are all ≤ 0 — every all-zero window after a ReLU — sends its gradient
 * to element 0 of the whole tensor. Here each window's gradient goes to its first maximal
 * element in row-major window order, padding never winning: PyTorch's and the tfjs cpu rule.
 *
 * Plain JavaScript over `Float32Array` views of the wasm heap (no copies): pooling gradients
 * cost `O(output · window)`, small next to the convolutions around them.
 * Inputs `dy` `[N, OH, OW, C]`, `input` `[N, H, W, C]`; output `dx` `[N, H, W, C]`.
 */
export function maxPoolGradWasm({ inputs, backend, attrs }: WasmKernelArgs): tf.TensorInfo {
  const { dy, input } = inputs as { dy: tf.TensorInfo; input: tf.TensorInfo };
  const { filterSize, strides, pad, dimRoundingMode } = attrs as unknown as tf.MaxPoolGradAttrs;
  const info = tf.backend_util.computePool2DInfo(
    input.shape as [number, number, number, number], filterSize, strides, 1, pad, dimRoundingMode,
  );
  const out = backend.makeOutput(input.shape, 'float32');
  // Views only after makeOutput: allocating may grow the heap and detach older views.
  const [x, grad, dx] = [input, dy, out].map((t) => backend.typedArrayFromHeap(t) as Float32Array);
  dx.fill(0);
  scatterToFirstMax(x, grad, dx, info);
  return out;
}

/** Adds each `dy` value to `dx` at its window's first maximum in `x` (NHWC, shapes in `info`). */
function scatterToFirstMax(x: Float32Array, dy: Float32Array, dx: Float32Array, info: tf.backend_util.Conv2DInfo): void {
  const { batchSize, inHeight, inWidth, inChannels: c, outHeight, outWidth, strideHeight, strideWidth } = info;
  const { filterHeight, filterWidth, padInfo } = info;
  const best = new Float32Array(c);
  const where = new Int32Array(c);
  for (let n = 0; n < batchSize; n++) {
    for (let oy = 0; oy < outHeight; oy++) {
      const y0 = oy * strideHeight - padInfo.top;
      const [yStart, yEnd] = [Math.max(y0, 0), Math.min(y0 + filterHeight, inHeight)];
      for (let ox = 0; ox < outWidth; ox++) {
        const x0 = ox * strideWidth - padInfo.left;
        const [xStart, xEnd] = [Math.max(x0, 0), Math.min(x0 + filterWidth, inWidth)];
        best.fill(-Infinity);
        where.fill(-1);
        for (let y = yStart; y < yEnd; y++) {
          for (let xx = xStart; xx < xEnd; xx++) {
            const base = ((n * inHeight + y) * inWidth + xx) * c;
            for (let k = 0; k < c; k++) {
              // Strictly greater keeps the first of tied maxima; `where < 0` takes the first cell
              // even when it is −∞.
              if (x[base + k] > best[k] || where[k] < 0) {
                best[k] = x[base + k];
                where[k] = base + k;
              }
            }
          }
        }
        const dyBase = ((n * outHeight + oy) * outWidth + ox) * c;
        for (let k = 0; k < c; k++) if (where[k] >= 0) dx[where[k]] += dy[dyBase + k];
      }
    }
  }
}

/** Replaces the wasm `MaxPoolGrad` by {@link maxPoolGradWasm}. Idempotent. */
export function registerMaxPoolGradWasm(): void {
  const kernelFunc = maxPoolGradWasm as unknown as tf.KernelFunc;
  const current = tf.getKernel(tf.MaxPoolGrad, 'wasm');
  if (current?.kernelFunc === kernelFunc) return;
  if (current) tf.unregisterKernel(tf.MaxPoolGrad, 'wasm');
  tf.registerKernel({ kernelName: tf.MaxPoolGrad, backendName: 'wasm', kernelFunc });
}
