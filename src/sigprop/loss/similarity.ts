import * as tf from '@tensorflow/tfjs';
import { formatShape } from '../utils/shape.js';

/**
 * Puts activations in the layout used for similarities: `[N, D]` → `[1, N, D]`;
 * NHWC `[N, H, W, C]` → `[H·W, N, C]` (one slice per spatial position, channels as features).
 * Port of the reference's `similarity_format` (which does the same from NCHW).
 * @throws Error for ranks other than 2 and 4.
 */
export function similarityFormat(x: tf.Tensor, name = 'x'): tf.Tensor3D {
  if (x.rank === 2) return x.expandDims(0) as tf.Tensor3D;
  if (x.rank === 4) {
    const [n, h, w, c] = x.shape;
    return x.reshape([n, h * w, c]).transpose([1, 0, 2]) as tf.Tensor3D;
  }
  throw new Error(`${name} has shape ${formatShape(x.shape)}; expected [N, D] or NHWC [N, H, W, C]`);
}

/**
 * Similarity logits `x·yᵀ` `[N, M]` between every row of `x` `[N, ...F]` and every row of `y`
 * `[M, ...F]`; for NHWC activations the product is taken per spatial position over channels and
 * then averaged over positions (reference: `similarity_matrix_xy`).
 * @throws Error when the feature shapes of `x` and `y` differ.
 */
export function similarityMatrixXY(x: tf.Tensor, y: tf.Tensor, names: [string, string] = ['x', 'y']): tf.Tensor2D {
  if (x.rank !== y.rank || x.shape.slice(1).some((d, i) => d !== y.shape[i + 1])) {
    throw new Error(
      `${names[0]} has shape ${formatShape(x.shape)} and ${names[1]} has shape ${formatShape(y.shape)}; ` +
        `expected the same shape after the first dimension`,
    );
  }
  return tf.tidy(() => {
    const xs = similarityFormat(x, names[0]);
    const ys = similarityFormat(y, names[1]);
    const logits = tf.matMul(xs, ys, false, true);
    return (xs.shape[0] === 1 ? logits.squeeze([0]) : logits.mean(0)) as tf.Tensor2D;
  });
}

/** `x·xᵀ` `[N, N]`, averaged over spatial positions for NHWC input (reference: `similarity_matrix_x`). */
export function similarityMatrixX(x: tf.Tensor, name = 'x'): tf.Tensor2D {
  return similarityMatrixXY(x, x, [name, name]);
}

/**
 * Soft-target cross-entropy, mean over the batch: `mean_i Σ_j −target_ij · log_softmax(logits)_ij`.
 * `target` is not normalised (a 0/1 mask counts every marked class fully), as in the reference.
 * @param logits `[N, M]`; @param target `[N, M]`.
 */
export function softTargetCrossEntropy(logits: tf.Tensor2D, target: tf.Tensor2D): tf.Scalar {
  return tf.tidy(() => tf.neg(tf.mul(target, tf.logSoftmax(logits)).sum(1).mean()) as tf.Scalar);
}

/**
 * Cross-entropy of `logits` `[N, M]` against integer class indices `labels` `[N]`, mean over the
 * batch (PyTorch `F.cross_entropy`).
 */
export function crossEntropy(logits: tf.Tensor2D, labels: tf.Tensor1D): tf.Scalar {
  return tf.tidy(() => softTargetCrossEntropy(logits, tf.oneHot(labels.toInt(), logits.shape[1]).toFloat() as tf.Tensor2D));
}
