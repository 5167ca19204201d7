import * as tf from '@tensorflow/tfjs';
import type { Module } from '../nn/module.js';
import type { Flow } from '../propagators/types.js';
import type { SignalFlow } from '../propagators/signals/types.js';
import { detach } from '../utils/detach.js';
import { Model, type ModelInput } from './model.js';

/** Builds the signal's context for the second pass from the first pass's output and the context. */
export type ErrorFn = (output: tf.Tensor, context: tf.Tensor) => tf.Tensor;

/**
 * First an inference pass without context (nothing learns without a target); if a context is given,
 * `e = error(output, context)` and a second, learning pass runs with `e` as the signal's
 * context. Returns the last pass's `h`. Reference: `sigprop.models.LoopBack`.
 */
export class LoopBack extends Model {
  static readonly optionNames: readonly string[] = ['error'];

  constructor(
    network: Module<Flow, Flow>,
    signal: Module<Flow, SignalFlow>,
    readonly error: ErrorFn,
  ) {
    super(network, signal);
  }

  forward({ x, context }: ModelInput): tf.Tensor {
    const first = this.sweep(x, null, null).h;
    if (context === null) return first;
    const e = detach(tf.tidy(() => this.error(first, context)));
    return this.sweep(x, e, context).h;
  }
}

/**
 * A learning pass with the context, then a second learning pass with `error(output, context)`
 * as the signal's context. Returns the last pass's `h`. Reference: `sigprop.models.ForwardLoopBack`.
 */
export class ForwardLoopBack extends Model {
  static readonly optionNames: readonly string[] = ['error'];

  constructor(
    network: Module<Flow, Flow>,
    signal: Module<Flow, SignalFlow>,
    readonly error: ErrorFn,
  ) {
    super(network, signal);
  }

  forward({ x, context }: ModelInput): tf.Tensor {
    const first = this.sweep(x, context, context).h;
    if (context === null) return first;
    const e = detach(tf.tidy(() => this.error(first, context)));
    return this.sweep(x, e, context).h;
  }
}
