import * as tf from '@tensorflow/tfjs';
import type { AdamCoefficients, MomentumCoefficients, UpdateCoefficients } from './update-rules.js';

/**
 * The updates of `update-rules.ts` written with tfjs ops, for backends whose memory cannot be
 * addressed directly. Same formulas (PyTorch's), float32 rounding after every op as PyTorch.
 * Each takes the parameter's then the slots' current values and returns their new values.
 */

/** `d = g + wd·p` (PyTorch's L2 weight decay), or `g` itself when wd is 0. */
function decayed(p: tf.Tensor, g: tf.Tensor, wd: number): tf.Tensor {
  return wd === 0 ? g : tf.add(g, tf.mul(p, wd));
}

/** SGD: `[p − lr·d]`. */
export function sgdTensors([p]: tf.Tensor[], g: tf.Tensor, c: UpdateCoefficients): tf.Tensor[] {
  return [tf.sub(p, tf.mul(decayed(p, g, c.weightDecay), c.lr))];
}

/** Momentum: `b' = μ·b + d`, `[p − lr·b', b']`. */
export function momentumTensors([p, b]: tf.Tensor[], g: tf.Tensor, c: MomentumCoefficients): tf.Tensor[] {
  const b1 = tf.add(tf.mul(b, c.momentum), decayed(p, g, c.weightDecay));
  return [tf.sub(p, tf.mul(b1, c.lr)), b1];
}

/** Adam: `m'`, `v'` as PyTorch, `[p − (lr/(1−β1ᵗ))·m'/(√v'/√(1−β2ᵗ) + ε), m', v']`. */
export function adamTensors([p, m, v]: tf.Tensor[], g: tf.Tensor, c: AdamCoefficients): tf.Tensor[] {
  const d = decayed(p, g, c.weightDecay);
  const m1 = tf.add(tf.mul(m, c.beta1), tf.mul(d, 1 - c.beta1));
  const v1 = tf.add(tf.mul(v, c.beta2), tf.mul(tf.square(d), 1 - c.beta2));
  const denom = tf.add(tf.div(tf.sqrt(v1), Math.sqrt(1 - c.beta2 ** c.step)), c.epsilon);
  const stepSize = c.lr / (1 - c.beta1 ** c.step);
  return [tf.sub(p, tf.mul(tf.div(m1, denom), stepSize)), m1, v1];
}
