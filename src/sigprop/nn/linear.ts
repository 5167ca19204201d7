import * as tf from '@tensorflow/tfjs';
import { Module } from './module.js';
import { uniformFanIn } from './init.js';
import type { Random } from '../utils/random.js';
import { formatShape } from '../utils/shape.js';

/** Options of {@link Linear}. */
export interface LinearOptions {
  /** Add a learned bias (default true). */
  bias?: boolean;
  /** Generator for the initial weights (default: the global one). */
  random?: Random;
}

/**
 * Dense layer `y = x·W + b` (PyTorch `nn.Linear`). `W` is stored `[inFeatures, outFeatures]`
 * (the tfjs/Keras layout), `b` is `[outFeatures]`; both start uniform in `±1/√inFeatures`.
 * Input `[..., inFeatures]` → output `[..., outFeatures]`.
 * @throws Error when the input's last dimension is not `inFeatures`.
 */
export class Linear extends Module {
  readonly kernel: tf.Variable;
  readonly bias: tf.Variable | null;

  constructor(
    readonly inFeatures: number,
    readonly outFeatures: number,
    options: LinearOptions = {},
  ) {
    super();
    this.kernel = this.registerParameter('kernel', uniformFanIn([inFeatures, outFeatures], inFeatures, options.random));
    this.bias =
      options.bias === false ? null : this.registerParameter('bias', uniformFanIn([outFeatures], inFeatures, options.random));
  }

  forward(x: tf.Tensor): tf.Tensor {
    const last = x.shape[x.rank - 1];
    if (last !== this.inFeatures) {
      throw new Error(`Linear: input shape ${formatShape(x.shape)} has ${last} features; expected [..., ${this.inFeatures}]`);
    }
    return tf.tidy(() => {
      const flat = x.rank === 2 ? (x as tf.Tensor2D) : x.reshape([-1, this.inFeatures]) as tf.Tensor2D;
      let y: tf.Tensor = tf.matMul(flat, this.kernel as tf.Tensor2D);
      if (this.bias) y = tf.add(y, this.bias);
      return x.rank === 2 ? y : y.reshape([...x.shape.slice(0, -1), this.outFeatures]);
    });
  }
}
