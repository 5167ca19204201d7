import type * as tf from '@tensorflow/tfjs';

/**
 * What flows between propagators (reference: the `(h, t, context)` tuple): the input's
 * activation `h` `[N, ...]`, the target's activation `t` (`[N, ...]` per sample or `[C, ...]` per
 * class; null at inference) and the context (integer labels `[N]`, or null).
 */
export interface Flow {
  h: tf.Tensor;
  t: tf.Tensor | null;
  context: tf.Tensor | null;
}
