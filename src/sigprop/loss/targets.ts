import * as tf from '@tensorflow/tfjs';

/**
 * Index of the first maximum of each row of `yy` `[N, M]` → int32 `[N]`. Ties go to the lowest
 * index (the rule the fixtures were made with), independent of the backend's argMax.
 */
export function firstRowArgmax(yy: tf.Tensor2D): tf.Tensor1D {
  return tf.tidy(() => {
    const m = yy.shape[1];
    const isMax = tf.equal(yy, yy.max(1, true));
    const index = tf.range(0, m, 1, 'int32').expandDims(0);
    return tf.where(isMax, index, tf.fill(yy.shape, m, 'int32')).min(1) as tf.Tensor1D;
  });
}

/** 0/1 float mask `[N, M]` of every entry equal to its row's maximum. */
export function rowMaxMask(yy: tf.Tensor2D): tf.Tensor2D {
  return tf.tidy(() => tf.equal(yy, yy.max(1, true)).toFloat() as tf.Tensor2D);
}

/**
 * 0/1 float mask `[N, M]` of the `k` largest entries of each row; among equal values the lowest
 * indices win (the rule the fixtures were made with). Entry j is kept when fewer than k entries
 * rank before it: `#{l: yy_il > yy_ij} + #{l < j: yy_il = yy_ij} < k`.
 * @throws Error when k is not an integer in [1, M].
 */
export function rowTopkMask(yy: tf.Tensor2D, k: number): tf.Tensor2D {
  const m = yy.shape[1];
  if (!Number.isInteger(k) || k < 1 || k > m) {
    throw new Error(`top-k: k is ${k}; expected an integer in [1, ${m}] (the number of target rows)`);
  }
  return tf.tidy(() => {
    const a = yy.expandDims(2);
    const b = yy.expandDims(1);
    const greater = tf.greater(b, a).toFloat();
    const lowerIndex = tf.linalg.bandPart(tf.ones([m, m]), 0, -1).sub(tf.eye(m)).transpose().expandDims(0);
    const tieBefore = tf.equal(b, a).toFloat().mul(lowerIndex);
    const rank = greater.add(tieBefore).sum(2);
    return tf.less(rank, k).toFloat() as tf.Tensor2D;
  });
}
