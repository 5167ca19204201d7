import type * as tf from '@tensorflow/tfjs';
import type { Module } from '../nn/module.js';
import type { Optimizer } from '../optim/optimizer.js';
import { asLossFn, type LossFn, type LossLike } from '../loss/types.js';
import { Learn } from './learn.js';

/**
 * {@link Learn} with a given loss function: the propagator to wrap hidden layers with.
 * Reference: `sigprop.propagators.Loss(module, optimizer, loss)`.
 * @param optimizer this layer's own optimizer (null: compute the loss, never step).
 * @param loss e.g. `loss.v14InputTargetMaxRand`, or a monitor wrapping one.
 */
export class Loss extends Learn {
  static readonly optionNames: readonly string[] = ['optimizer', 'loss'];

  readonly loss: LossFn;

  constructor(module: Module, optimizer: Optimizer | null, loss: LossLike) {
    super(module, optimizer);
    this.loss = asLossFn(loss);
  }

  protected localLoss(h1: tf.Tensor, t1: tf.Tensor, h0: tf.Tensor, t0: tf.Tensor, context: tf.Tensor | null): tf.Scalar {
    return this.loss(this, h1, t1, h0, t0, context);
  }
}
