import type * as tf from '@tensorflow/tfjs';
import { Model, type ModelInput } from './model.js';

/**
 * The base forward-learning model: `(h, t) = signal(x, context, context)`, then
 * `(h, t, context) = network(h, t, context)`; returns `h` `[N, ...]` (the logits for a classifier).
 * Reference: `sigprop.models.Forward`.
 */
export class Forward extends Model {
  static readonly optionNames: readonly string[] = [];

  forward({ x, context }: ModelInput): tf.Tensor {
    return this.sweep(x, context, context).h;
  }
}
