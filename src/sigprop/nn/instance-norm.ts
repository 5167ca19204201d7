import * as tf from '@tensorflow/tfjs';
import { Module } from './module.js';
import { expectNHWC } from './conv2d.js';
import { formatShape } from '../utils/shape.js';

/** Options of {@link InstanceNorm2d}. */
export interface InstanceNormOptions {
  /** Added to the variance before the square root (default 1e-5, PyTorch's). */
  eps?: number;
  /** Learn a per-channel scale `gamma` (init 1) and shift `beta` (init 0) (default false, PyTorch's). */
  affine?: boolean;
}

/**
 * Instance normalisation (PyTorch `nn.InstanceNorm2d`, `track_running_stats=False`): every
 * sample's every channel is normalised over its spatial positions with the biased variance,
 * in training and eval mode alike. Input NHWC `[N, H, W, numFeatures]` → same shape.
 * Running statistics (the reference's "instance_batch_norm" option) are not ported.
 * @throws Error when the input is not `[N, H, W, numFeatures]`, or has a single spatial position
 *   (PyTorch's "Expected more than 1 spatial element when training").
 */
export class InstanceNorm2d extends Module {
  readonly eps: number;
  readonly gamma: tf.Variable | null;
  readonly beta: tf.Variable | null;

  constructor(
    readonly numFeatures: number,
    options: InstanceNormOptions = {},
  ) {
    super();
    this.eps = options.eps ?? 1e-5;
    const affine = options.affine ?? false;
    this.gamma = affine ? this.registerParameter('gamma', tf.ones([numFeatures])) : null;
    this.beta = affine ? this.registerParameter('beta', tf.zeros([numFeatures])) : null;
  }

  forward(x: tf.Tensor): tf.Tensor {
    const input = expectNHWC('InstanceNorm2d', x, this.numFeatures);
    if (input.shape[1] * input.shape[2] < 2) {
      throw new Error(`InstanceNorm2d: input shape ${formatShape(x.shape)} has 1 spatial position; expected more than 1`);
    }
    return tf.tidy(() => {
      const { mean, variance } = tf.moments(input, [1, 2], true);
      let y = tf.mul(tf.sub(input, mean), tf.rsqrt(tf.add(variance, this.eps)));
      if (this.gamma && this.beta) y = tf.add(tf.mul(y, this.gamma), this.beta);
      return y;
    });
  }
}
