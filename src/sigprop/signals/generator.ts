import * as tf from '@tensorflow/tfjs';
import { Module } from '../nn/module.js';
import { shapeNumel, formatShape } from '../utils/shape.js';
import type { SignalInput, SignalOutput } from './types.js';

/**
 * A signal generator: turns `(h0, t0)` into the first activations `(h1, t1)` and returns the
 * originals with them. Reference: `sigprop.signals.Generator`. Subclasses implement `forward`.
 */
export abstract class Generator extends Module<SignalInput, SignalOutput> {}

/**
 * Projects a target `[N, ...]` through `module` (after flattening it to `[N, D]`) and reshapes
 * the result to `[N, ...outputShape]`. Shared by the projection generators.
 * @throws Error when the module's output does not have `prod(outputShape)` features per row.
 */
export function projectTarget(module: Module, t0: tf.Tensor, outputShape: number[]): tf.Tensor {
  const projected = module.forward(t0.reshape([t0.shape[0], -1]));
  const expected = shapeNumel(outputShape);
  if (projected.size !== t0.shape[0] * expected) {
    throw new Error(
      `signal: the context module output has shape ${formatShape(projected.shape)}; expected ${t0.shape[0]} rows ` +
        `of ${expected} values to reshape into outputShape ${formatShape(outputShape)}`,
    );
  }
  return projected.reshape([t0.shape[0], ...outputShape]);
}

/** Marks every parameter of `module` as not trainable (the reference's `fixed=True`). */
export function freeze(module: Module<unknown, unknown>): void {
  for (const [, v] of module.namedParameters()) v.trainable = false;
}
