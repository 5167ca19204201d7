import * as tf from '@tensorflow/tfjs';
import { similarityMatrixXY, crossEntropy } from './similarity.js';
import { firstRowArgmax } from './targets.js';
import { incomingSimilarity } from './v9-input-target-max-all.js';
import type { LossFn } from './types.js';

/**
 * `v14_input_target_max_rand`: logits `y = h1·t1ᵀ` `[N, N]`, cross-entropy against
 * `argmax_j yy[i, j]` with `yy = t0·t0ᵀ` (the first maximal index on ties).
 * Reference: `sigprop.loss.v14_input_target_max_rand`.
 * @throws Error when h1 and t1 (or t0's rows and t1's) do not match.
 */
export const v14InputTargetMaxRand: LossFn = (_p, h1, t1, _h0, t0) =>
  tf.tidy(() => {
    const logits = similarityMatrixXY(h1, t1, ['h1', 't1']);
    return crossEntropy(logits, firstRowArgmax(incomingSimilarity(t0, logits.shape[1])));
  });
