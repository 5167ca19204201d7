import * as tf from '@tensorflow/tfjs';

const stopGradient = tf.customGrad(((x: tf.Tensor) => ({
  value: x.clone(),
  gradFunc: (dy: tf.Tensor) => tf.zerosLike(dy),
})) as unknown as Parameters<typeof tf.customGrad>[0]) as (x: tf.Tensor) => tf.Tensor;

/** True while a gradient is being recorded (inside `tf.variableGrads` / `tf.grads`). */
function recordingGradients(): boolean {
  return (tf.engine().state as unknown as { gradientDepth: number }).gradientDepth > 0;
}

/**
 * The tensor's value cut off from any gradient tape: a gradient that reaches it is zero, so
 * nothing upstream is trained through it (PyTorch's `Tensor.detach()`). Same shape and dtype.
 * With no gradient being recorded there is nothing to cut, and `x` itself is returned.
 */
export function detach<T extends tf.Tensor>(x: T): T {
  return recordingGradients() ? (stopGradient(x) as T) : x;
}

/** {@link detach} that passes `null` through (targets are absent at inference). */
export function detachOrNull<T extends tf.Tensor>(x: T | null): T | null {
  return x === null ? null : detach(x);
}
