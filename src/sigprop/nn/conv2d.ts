import * as tf from '@tensorflow/tfjs';
import { Module } from './module.js';
import { uniformFanIn } from './init.js';
import type { Random } from '../utils/random.js';
import { formatShape } from '../utils/shape.js';

/** A size given once for both spatial axes, or as `[height, width]` (PyTorch's `int or tuple`). */
export type Size2 = number | readonly [number, number];

/**
 * `[height, width]` from a {@link Size2}.
 * @throws Error when a value is not an integer ≥ `min` (`what` names it in the message).
 */
export function pair(size: Size2, what: string, min: number): [number, number] {
  const [h, w] = typeof size === 'number' ? [size, size] : size;
  for (const v of [h, w]) {
    if (!Number.isInteger(v) || v < min) throw new Error(`${what} must be integers ≥ ${min}; got ${String(size)}`);
  }
  return [h, w];
}

/**
 * Checks that `x` is NHWC `[N, H, W, channels]` and returns it typed as 4-d.
 * @throws Error naming `module`, the shape seen and the shape expected.
 */
export function expectNHWC(module: string, x: tf.Tensor, channels: number): tf.Tensor4D {
  if (x.rank !== 4 || x.shape[3] !== channels) {
    throw new Error(`${module}: input shape ${formatShape(x.shape)}; expected NHWC [N, H, W, ${channels}]`);
  }
  return x as tf.Tensor4D;
}

/**
 * Output size of one spatial axis of a convolution or pooling window, PyTorch's rule
 * `floor((size + 2·padding − kernel) / stride) + 1`.
 * @throws Error naming `module` when the padded input is smaller than the kernel.
 */
export function outputSize(module: string, size: number, kernel: number, stride: number, padding: number): number {
  if (size + 2 * padding < kernel) {
    throw new Error(`${module}: padded input size ${size + 2 * padding} is smaller than the kernel size ${kernel}`);
  }
  return Math.floor((size + 2 * padding - kernel) / stride) + 1;
}

/** tfjs explicit NHWC padding for PyTorch's symmetric `[padH, padW]`. */
export function explicitPadding([ph, pw]: [number, number]): [[number, number], [number, number], [number, number], [number, number]] {
  return [[0, 0], [ph, ph], [pw, pw], [0, 0]];
}

/** Options of {@link Conv2d}. */
export interface Conv2dOptions {
  /** Add a learned bias (default true). */
  bias?: boolean;
  /** Generator for the initial weights (default: the global one). */
  random?: Random;
}

/**
 * 2-d convolution (PyTorch `nn.Conv2d`, groups = 1, dilation = 1), on NHWC activations.
 * The kernel is stored `[kh, kw, inChannels, outChannels]` (the tfjs layout), the bias
 * `[outChannels]`; both start uniform in `±1/√(inChannels·kh·kw)` like PyTorch's default.
 * `padding` follows PyTorch's integer semantics: that many zero pixels on every side, then a
 * 'valid' convolution, so output sizes equal PyTorch's:
 * input `[N, H, W, inChannels]` → output `[N, ⌊(H+2ph−kh)/sh⌋+1, ⌊(W+2pw−kw)/sw⌋+1, outChannels]`.
 * @throws Error (constructor) on non-positive sizes or negative padding; (forward) when the input
 *   is not `[N, H, W, inChannels]` or the padded input is smaller than the kernel.
 */
export class Conv2d extends Module {
  readonly kernel: tf.Variable;
  readonly bias: tf.Variable | null;
  readonly kernelSize: [number, number];
  readonly stride: [number, number];
  readonly padding: [number, number];

  constructor(
    readonly inChannels: number,
    readonly outChannels: number,
    kernelSize: Size2,
    stride: Size2 = 1,
    padding: Size2 = 0,
    options: Conv2dOptions = {},
  ) {
    super();
    this.kernelSize = pair(kernelSize, 'Conv2d: kernelSize', 1);
    this.stride = pair(stride, 'Conv2d: stride', 1);
    this.padding = pair(padding, 'Conv2d: padding', 0);
    const [kh, kw] = this.kernelSize;
    const fanIn = inChannels * kh * kw;
    this.kernel = this.registerParameter('kernel', uniformFanIn([kh, kw, inChannels, outChannels], fanIn, options.random));
    this.bias = options.bias === false ? null : this.registerParameter('bias', uniformFanIn([outChannels], fanIn, options.random));
  }

  forward(x: tf.Tensor): tf.Tensor {
    const input = expectNHWC('Conv2d', x, this.inChannels);
    for (const axis of [0, 1]) {
      outputSize('Conv2d', input.shape[axis + 1], this.kernelSize[axis], this.stride[axis], this.padding[axis]);
    }
    return tf.tidy(() => {
      const y = tf.conv2d(input, this.kernel as tf.Tensor4D, this.stride, explicitPadding(this.padding));
      return this.bias ? tf.add(y, this.bias) : y;
    });
  }
}
