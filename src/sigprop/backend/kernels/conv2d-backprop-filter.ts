import * as tf from '@tensorflow/tfjs';
import { release, runWasmKernel, type WasmKernelArgs } from './wasm-kernel.js';

/**
 * `Conv2DBackpropFilter` for the wasm backend, which ships without it (so no convolution can
 * train there). The gradient of a convolution's filter is itself a convolution: with `x` padded
 * as the forward pass padded it, `dW[i, j, ci, co] = Σ_{n, oy, ox} x[n, oy·sh + i, ox·sw + j, ci] · dy[n, oy, ox, co]`,
 * i.e. a 'valid' convolution of `x` laid out `[CI, H, W, N]` (batch ↔ channels swapped) with `dy`
 * laid out `[OH, OW, N, CO]` as the filter, dilated by the forward stride. That runs on the
 * existing XNNPACK kernels (Pad, Transpose, Conv2D, Slice) at their speed, with no extra copy
 * of the data through JavaScript.
 *
 * Inputs `x` `[N, H, W, CI]`, `dy` `[N, OH, OW, CO]`; output `[KH, KW, CI, CO]` (`filterShape`).
 * Supports every padding tfjs accepts ('valid', 'same', a number, explicit), strides, and the
 * rounding modes; dilation is 1 as in every tfjs conv2d gradient.
 * @throws Error for `dataFormat: 'NCHW'` (the wasm convolutions are NHWC only).
 */
export function conv2DBackpropFilterWasm({ inputs, backend, attrs }: WasmKernelArgs): tf.TensorInfo {
  const { x, dy } = inputs as { x: tf.TensorInfo; dy: tf.TensorInfo };
  const { strides, pad, dataFormat, dimRoundingMode, filterShape } = attrs as unknown as tf.Conv2DBackpropFilterAttrs;
  if (dataFormat === 'NCHW') throw new Error('Conv2DBackpropFilter (wasm): dataFormat NCHW is not supported; use NHWC');
  const info = tf.backend_util.computeConv2DInfo(
    x.shape as [number, number, number, number], filterShape, strides, 1, pad, dimRoundingMode,
  );
  const { top, bottom, left, right } = info.padInfo;
  const temps: tf.TensorInfo[] = [];
  const keep = (t: tf.TensorInfo): tf.TensorInfo => (temps.push(t), t);
  try {
    const padded = top + bottom + left + right === 0 ? x
      : keep(runWasmKernel(tf.PadV2, backend, { x }, { paddings: [[0, 0], [top, bottom], [left, right], [0, 0]], constantValue: 0 }));
    const images = keep(runWasmKernel(tf.Transpose, backend, { x: padded }, { perm: [3, 1, 2, 0] }));
    const filter = keep(runWasmKernel(tf.Transpose, backend, { x: dy }, { perm: [1, 2, 0, 3] }));
    const full = keep(runWasmKernel(tf.Conv2D, backend, { x: images, filter }, {
      strides: 1, pad: 'valid', dataFormat: 'NHWC', dilations: [info.strideHeight, info.strideWidth],
    }));
    // Padding rows/columns that no window reached give extra trailing outputs: cut them off.
    const [kh, kw, ci, co] = filterShape;
    const cropped = full.shape[1] === kh && full.shape[2] === kw ? full
      : keep(runWasmKernel(tf.Slice, backend, { x: full }, { begin: [0, 0, 0, 0], size: [ci, kh, kw, co] }));
    return runWasmKernel(tf.Transpose, backend, { x: cropped }, { perm: [1, 2, 0, 3] });
  } finally {
    release(backend, ...temps);
  }
}

/** Registers {@link conv2DBackpropFilterWasm} unless wasm already has a `Conv2DBackpropFilter`. */
export function registerConv2DBackpropFilterWasm(): void {
  if (tf.getKernel(tf.Conv2DBackpropFilter, 'wasm')) return;
  tf.registerKernel({
    kernelName: tf.Conv2DBackpropFilter,
    backendName: 'wasm',
    kernelFunc: conv2DBackpropFilterWasm as unknown as tf.KernelFunc,
  });
}
