import * as tf from '@tensorflow/tfjs';

const stopGradient = tf.customGrad(((x: tf.Tensor) => ({
  value: x.clone(),
  gradFunc: (dy: tf.Tensor) => tf.zerosLike(dy),
})) as unknown as tf.CustomGradientFunc<tf.Tensor>) as (x: tf.Tensor) => tf.Tensor;

/**
 * The tensor's value cut off from any gradient tape: a gradient that reaches it is zero, so
 * nothing upstream is trained through it (PyTorch's `Tensor.detach()`). Same shape and dtype.
 * Outside a gradient computation this is a cheap copy.
 */
export function detach<T extends tf.Tensor>(x: T): T {
  return stopGradient(x) as T;
}

/** {@link detach} that passes `null` through (targets are absent at inference). */
export function detachOrNull<T extends tf.Tensor>(x: T | null): T | null {
  return x === null ? null : detach(x);
}
