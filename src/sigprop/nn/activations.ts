import * as tf from '@tensorflow/tfjs';
import { Module } from './module.js';
import { hasFusedLeakyRelu, LEAKY_RELU } from '../backend/kernels/leaky-relu.js';

/** `max(x, 0)` elementwise (PyTorch `nn.ReLU`). Any shape. */
export class ReLU extends Module {
  forward(x: tf.Tensor): tf.Tensor {
    return tf.relu(x);
  }
}

/** `x` for `x ≥ 0`, `slope·x` otherwise (PyTorch `nn.LeakyReLU`, default slope 0.01). Any shape. */
export class LeakyReLU extends Module {
  constructor(readonly negativeSlope = 0.01) {
    super();
  }

  forward(x: tf.Tensor): tf.Tensor {
    // One native kernel (and one for the gradient) where the backend has it: same values.
    if (x.dtype === 'float32' && hasFusedLeakyRelu()) return tf.engine().runKernel(LEAKY_RELU, { x }, { slope: this.negativeSlope }) as tf.Tensor;
    return tf.leakyRelu(x, this.negativeSlope);
  }
}

/** Hyperbolic tangent elementwise (PyTorch `nn.Tanh`). Any shape. */
export class Tanh extends Module {
  forward(x: tf.Tensor): tf.Tensor {
    return tf.tanh(x);
  }
}
