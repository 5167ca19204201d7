import type * as tf from '@tensorflow/tfjs';
import type { Module } from '../../nn/module.js';
import type { Optimizer } from '../../optim/optimizer.js';
import type { SignalInput, SignalOutput } from '../../signals/types.js';
import { asLossFn, type LossFn, type LossLike } from '../../loss/types.js';
import { Learn } from './learn.js';

/**
 * {@link Learn} for signals with a given loss. Reference: `sigprop.propagators.signals.Loss`.
 * @param module the signal (formatters + generator, e.g. `signals.Sequential`).
 * @param optimizer the signal's own optimizer (null: never step).
 */
export class Loss extends Learn {
  static readonly optionNames: readonly string[] = ['optimizer', 'loss'];

  readonly loss: LossFn;

  constructor(module: Module<SignalInput, SignalOutput>, optimizer: Optimizer | null, loss: LossLike) {
    super(module, optimizer);
    this.loss = asLossFn(loss);
  }

  protected localLoss(h1: tf.Tensor, t1: tf.Tensor, h0: tf.Tensor, t0: tf.Tensor, context: tf.Tensor | null): tf.Scalar {
    return this.loss(this, h1, t1, h0, t0, context);
  }
}
