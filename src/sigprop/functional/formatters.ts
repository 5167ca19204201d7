import * as tf from '@tensorflow/tfjs';
import { formatShape } from '../utils/shape.js';

/**
 * Checks that `t` is a tensor; formatters are often handed arrays or numbers by mistake.
 * @throws Error naming the formatter and what it was given.
 */
function requireTensor(t: unknown, formatter: string, expected: string): asserts t is tf.Tensor {
  if (!(t instanceof tf.Tensor)) {
    const seen = Array.isArray(t) ? 'an array' : t === null ? 'null' : typeof t;
    throw new Error(`${formatter}: t is ${seen}; expected a tf.Tensor of shape ${expected}`);
  }
}

/** Requires a `[B, C]` tensor. */
function requireMatrix(t: unknown, formatter: string): asserts t is tf.Tensor2D {
  requireTensor(t, formatter, '[B, C]');
  if (t.rank !== 2) throw new Error(`${formatter}: t has shape ${formatShape(t.shape)}; expected [B, C] (one-hot rows)`);
}

/**
 * Integer labels `[B]` (or `[B, 1]`) → float32 one-hot `[B, C]`.
 * @param numClasses C; when omitted, max label + 1.
 * @throws Error when `labels` is not a tensor, has another shape, or holds a value that is not an
 *   integer in [0, C) (the message gives the index and the value).
 */
export function labelNumberToOnehot(labels: tf.Tensor, numClasses?: number): tf.Tensor2D {
  requireTensor(labels, 'LabelNumberToOnehot', '[B]');
  if (labels.rank > 2 || (labels.rank === 2 && labels.shape[1] !== 1)) {
    throw new Error(`LabelNumberToOnehot: labels have shape ${formatShape(labels.shape)}; expected [B] integer labels`);
  }
  const values = labels.dataSync();
  const classes = numClasses ?? Math.max(0, ...Array.from(values)) + 1;
  if (!Number.isInteger(classes) || classes < 1) {
    throw new Error(`LabelNumberToOnehot: numClasses is ${numClasses}; expected a positive integer`);
  }
  values.forEach((v, i) => {
    if (!Number.isInteger(v) || v < 0 || v >= classes) {
      throw new Error(`LabelNumberToOnehot: label[${i}] is ${v}; expected an integer in [0, ${classes - 1}]`);
    }
  });
  return tf.tidy(() => tf.oneHot(labels.reshape([-1]).toInt(), classes).toFloat() as tf.Tensor2D);
}

/** One-hot `[B, C]` → identity `[C, C]` (one row per class). @throws Error for other shapes. */
export function distinctBatchLabelsOnehot(onehot: tf.Tensor): tf.Tensor2D {
  requireMatrix(onehot, 'DistinctBatchLabelsOnehot');
  return tf.eye(onehot.shape[1]);
}

/** One-hot `[B, C]` → float32 `[C]` = `0..C-1`. @throws Error for other shapes. */
export function distinctBatchLabels(onehot: tf.Tensor): tf.Tensor1D {
  requireMatrix(onehot, 'DistinctBatchLabels');
  return tf.range(0, onehot.shape[1], 1, 'float32');
}

/** Vectors `[B, C]` → float32 argmax `[B, 1]` (first maximum). @throws Error for other shapes. */
export function labelVectorToNumber(vectors: tf.Tensor): tf.Tensor2D {
  requireMatrix(vectors, 'LabelVectorToNumber');
  return tf.tidy(() => vectors.argMax(1).toFloat().reshape([-1, 1]) as tf.Tensor2D);
}
