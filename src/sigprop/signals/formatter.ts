import type * as tf from '@tensorflow/tfjs';
import { Module } from '../nn/module.js';
import type { SignalInput } from './types.js';

/**
 * A signal formatter: rewrites the target `t` (e.g. labels → one-hot) before the generator, leaves
 * `h` untouched and passes `t = null` through. Reference: `sigprop.signals.Formatter`.
 * Subclasses implement {@link Formatter.format} for a non-null target.
 */
export abstract class Formatter extends Module<SignalInput, SignalInput> {
  /** Formats a non-null target. */
  protected abstract format(t: tf.Tensor): tf.Tensor;

  forward({ h, t }: SignalInput): SignalInput {
    return { h, t: t === null ? null : this.format(t) };
  }
}
