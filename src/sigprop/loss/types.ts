import type * as tf from '@tensorflow/tfjs';

/**
 * A local loss: `fn(propagator, h1, t1, h0, t0, context) → scalar` (reference: `sigprop.loss`).
 * - `propagator`: the propagator that calls it (unused by the built-in losses).
 * - `h1` `[N, ...F]`, `t1` `[M, ...F]`: the layer's outputs for the input and the target;
 *   4-d activations are NHWC.
 * - `h0`, `t0`: what entered the layer (`t0` is the formatted context at the signal).
 * - `context`: the integer labels `[N]` (or whatever the signal was given).
 */
export type LossFn = (
  propagator: unknown,
  h1: tf.Tensor,
  t1: tf.Tensor,
  h0: tf.Tensor,
  t0: tf.Tensor,
  context: tf.Tensor | null,
) => tf.Scalar;

/**
 * Base class for user losses written as classes (reference: `sigprop.loss.Loss`).
 * Subclasses implement {@link Loss.forward} with the {@link LossFn} arguments.
 */
export abstract class Loss {
  /** Computes the scalar loss; see {@link LossFn} for shapes. */
  abstract forward(
    propagator: unknown,
    h1: tf.Tensor,
    t1: tf.Tensor,
    h0: tf.Tensor,
    t0: tf.Tensor,
    context: tf.Tensor | null,
  ): tf.Scalar;
}

/** A loss given as a function or as a {@link Loss} instance. */
export type LossLike = LossFn | Loss;

/** Turns a {@link LossLike} into a plain function. */
export function asLossFn(loss: LossLike): LossFn {
  return loss instanceof Loss ? (p, h1, t1, h0, t0, c) => loss.forward(p, h1, t1, h0, t0, c) : loss;
}
