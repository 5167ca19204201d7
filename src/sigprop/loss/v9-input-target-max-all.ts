import * as tf from '@tensorflow/tfjs';
import { similarityMatrixX, similarityMatrixXY, softTargetCrossEntropy } from './similarity.js';
import { rowMaxMask } from './targets.js';
import type { LossFn } from './types.js';

/**
 * `v9_input_target_max_all`: logits `y = h1·t1ᵀ` `[N, N]`, soft-target cross-entropy against the
 * 0/1 mask of every j where `yy = t0·t0ᵀ` equals its row maximum (mask not normalised).
 * Reference: `sigprop.loss.v9_input_target_max_all`.
 * @throws Error when h1 and t1 (or t0's rows and h1's) do not match.
 */
export const v9InputTargetMaxAll: LossFn = (_p, h1, t1, _h0, t0) =>
  tf.tidy(() => {
    const logits = similarityMatrixXY(h1, t1, ['h1', 't1']);
    const target = rowMaxMask(incomingSimilarity(t0, logits.shape[1]));
    return softTargetCrossEntropy(logits, target);
  });

/**
 * `yy = t0·t0ᵀ` `[M, M]` (per-position average for NHWC `t0`).
 * @throws Error when `t0` does not have one row per target row `m`.
 */
export function incomingSimilarity(t0: tf.Tensor, m: number): tf.Tensor2D {
  if (t0.shape[0] !== m) {
    throw new Error(`t0 has ${t0.shape[0]} rows (shape [${t0.shape.join(', ')}]); expected ${m}, one per row of t1`);
  }
  return t0.rank === 2 || t0.rank === 4 ? similarityMatrixX(t0, 't0') : similarityMatrixXY(t0.reshape([m, -1]), t0.reshape([m, -1]));
}
