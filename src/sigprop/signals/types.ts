import type * as tf from '@tensorflow/tfjs';

/**
 * What enters a signal module: the input `h` (e.g. images `[N, ...]`) and the target `t`
 * (the context, e.g. labels `[N]`), `t = null` at inference. Reference: the `(h0, t0)` tuple.
 */
export interface SignalInput {
  h: tf.Tensor;
  t: tf.Tensor | null;
}

/**
 * What a generator returns (reference: `(h1, t1, h0, t0)`): the first activations of the input
 * and of the target, and the formatted originals, so that a loss may look at them.
 */
export interface SignalOutput {
  h1: tf.Tensor;
  t1: tf.Tensor | null;
  h0: tf.Tensor;
  t0: tf.Tensor | null;
}
