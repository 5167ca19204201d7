import * as tf from '@tensorflow/tfjs';
import { similarityMatrixXY, softTargetCrossEntropy } from './similarity.js';
import { rowTopkMask } from './targets.js';
import { incomingSimilarity } from './v9-input-target-max-all.js';
import type { LossFn } from './types.js';

/**
 * `v15_input_target_topk`: logits `y = h1·t1ᵀ` `[N, N]`, soft-target cross-entropy against the
 * 0/1 mask of the top-k entries of each row of `yy = t0·t0ᵀ` (lowest indices win ties).
 * Reference: `sigprop.loss.v15_input_target_topk`.
 * @param k how many targets per row, an integer in [1, N].
 * @throws Error when k is out of range or the shapes do not match.
 */
export function v15InputTargetTopk(k: number): LossFn {
  return (_p, h1, t1, _h0, t0) =>
    tf.tidy(() => {
      const logits = similarityMatrixXY(h1, t1, ['h1', 't1']);
      return softTargetCrossEntropy(logits, rowTopkMask(incomingSimilarity(t0, logits.shape[1]), k));
    });
}
