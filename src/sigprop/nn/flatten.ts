import type * as tf from '@tensorflow/tfjs';
import { Module } from './module.js';

/**
 * `[N, ...rest]` → `[N, prod(rest)]` (PyTorch `nn.Flatten()`). Activations are NHWC here, so the
 * order of the flattened features differs from the reference's NCHW order; sizes are equal.
 */
export class Flatten extends Module {
  forward(x: tf.Tensor): tf.Tensor {
    return x.reshape([x.shape[0], -1]);
  }
}
