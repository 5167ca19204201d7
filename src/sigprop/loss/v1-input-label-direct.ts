import * as tf from '@tensorflow/tfjs';
import { similarityMatrixXY, crossEntropy } from './similarity.js';
import { classIndices } from './labels.js';
import type { LossFn } from './types.js';

/**
 * `v1_input_label_direct`: logits `y = h1·t1ᵀ` `[N, C]`, where `t1` holds one target row per
 * class (see `DistinctBatchLabelsOnehot`), and cross-entropy against the integer labels in
 * `context` `[N]`. Works on a batch of one sample, so it suits per-item streaming updates.
 * Reference: `sigprop.loss.v1_input_label_direct`.
 * @throws Error when feature shapes differ or a label is not an integer in [0, C).
 */
export const v1InputLabelDirect: LossFn = (_p, h1, t1, _h0, _t0, context) =>
  tf.tidy(() => {
    const logits = similarityMatrixXY(h1, t1, ['h1', 't1']);
    const labels = classIndices(context, t1.shape[0], h1.shape[0], 'context');
    return crossEntropy(logits, labels);
  });
