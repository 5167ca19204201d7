import type * as tf from '@tensorflow/tfjs';

/** What a signal propagator returns: the first activations `h` and `t` (null at inference). */
export interface SignalFlow {
  h: tf.Tensor;
  t: tf.Tensor | null;
}
