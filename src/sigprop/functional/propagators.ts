import type * as tf from '@tensorflow/tfjs';
import { detach, detachOrNull } from '../utils/detach.js';
import type { Flow } from '../propagators/types.js';

/** A layer as a function. */
export type LayerFn = (x: tf.Tensor) => tf.Tensor;

/** `Identity` as a function: `fn` on `h` only, `t` unchanged, no detach. */
export function identity(fn: LayerFn, { h, t, context }: Flow): Flow {
  return { h: fn(h), t, context };
}

/** `Fixed` as a function: `fn` on `h` and `t`, both detached. */
export function fixed(fn: LayerFn, { h, t, context }: Flow): Flow {
  return { h: detach(fn(h)), t: detachOrNull(t === null ? null : fn(t)), context };
}

/** `Forward` as a function: `fn` on `h` and `t`, no detach. */
export function forward(fn: LayerFn, { h, t, context }: Flow): Flow {
  return { h: fn(h), t: t === null ? null : fn(t), context };
}
