import * as tf from '@tensorflow/tfjs';
import { Module } from './module.js';
import { explicitPadding, outputSize, pair, type Size2 } from './conv2d.js';
import { formatShape } from '../utils/shape.js';

/**
 * Window geometry shared by the pooling modules, validated like PyTorch: sizes ≥ 1, padding ≥ 0
 * and at most half the kernel ("pad should be at most half of kernel size").
 */
abstract class Pool2d extends Module {
  readonly kernelSize: [number, number];
  readonly stride: [number, number];
  readonly padding: [number, number];

  constructor(name: string, kernelSize: Size2, stride: Size2 | undefined, padding: Size2) {
    super();
    this.kernelSize = pair(kernelSize, `${name}: kernelSize`, 1);
    this.stride = pair(stride ?? kernelSize, `${name}: stride`, 1);
    this.padding = pair(padding, `${name}: padding`, 0);
    if (this.padding.some((p, axis) => 2 * p > this.kernelSize[axis])) {
      throw new Error(`${name}: padding ${formatShape(this.padding)} must be at most half of kernelSize ${formatShape(this.kernelSize)}`);
    }
  }

  /** Checks rank and output size; returns the input typed as 4-d. */
  protected checkInput(name: string, x: tf.Tensor): tf.Tensor4D {
    if (x.rank !== 4) throw new Error(`${name}: input shape ${formatShape(x.shape)}; expected NHWC [N, H, W, C]`);
    for (const axis of [0, 1]) outputSize(name, x.shape[axis + 1], this.kernelSize[axis], this.stride[axis], this.padding[axis]);
    return x as tf.Tensor4D;
  }
}

/**
 * Max over each window (PyTorch `nn.MaxPool2d`, dilation 1, `ceil_mode=False`); padded pixels
 * never win (they count as −∞, as in PyTorch). `stride` defaults to `kernelSize`.
 * Input `[N, H, W, C]` → `[N, ⌊(H+2ph−kh)/sh⌋+1, ⌊(W+2pw−kw)/sw⌋+1, C]`.
 * @throws Error (constructor) on bad sizes or padding above half the kernel; (forward) when the
 *   input is not 4-d or the padded input is smaller than the window.
 */
export class MaxPool2d extends Pool2d {
  constructor(kernelSize: Size2, stride?: Size2, padding: Size2 = 0) {
    super('MaxPool2d', kernelSize, stride, padding);
  }

  forward(x: tf.Tensor): tf.Tensor {
    const input = this.checkInput('MaxPool2d', x);
    return tf.maxPool(input, this.kernelSize, this.stride, explicitPadding(this.padding));
  }
}

/**
 * Mean over each window (PyTorch `nn.AvgPool2d`, `ceil_mode=False`, `count_include_pad=True`):
 * padded zeros count in the divisor, so every window divides by `kh·kw` like PyTorch's default.
 * `stride` defaults to `kernelSize`.
 * Input `[N, H, W, C]` → `[N, ⌊(H+2ph−kh)/sh⌋+1, ⌊(W+2pw−kw)/sw⌋+1, C]`.
 * @throws Error (constructor) on bad sizes or padding above half the kernel; (forward) when the
 *   input is not 4-d or the padded input is smaller than the window.
 */
export class AvgPool2d extends Pool2d {
  constructor(kernelSize: Size2, stride?: Size2, padding: Size2 = 0) {
    super('AvgPool2d', kernelSize, stride, padding);
  }

  forward(x: tf.Tensor): tf.Tensor {
    const input = this.checkInput('AvgPool2d', x);
    // tfjs's own padding leaves padded pixels out of the divisor (count_include_pad=False);
    // padding with real zeros first reproduces PyTorch's default divisor.
    return tf.tidy(() => {
      const padded = this.padding.some((p) => p > 0) ? tf.pad(input, explicitPadding(this.padding)) : input;
      return tf.avgPool(padded, this.kernelSize, this.stride, 'valid');
    });
  }
}
