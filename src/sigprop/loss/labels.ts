import * as tf from '@tensorflow/tfjs';
import { formatShape } from '../utils/shape.js';

/**
 * Checks that `labels` holds integer class indices in `[0, numClasses)` and returns them as int32
 * `[N]`. One-hot `[N, C]` labels are accepted and turned into indices.
 * @throws Error naming `name` when the labels are missing, of the wrong shape or size, non-integer,
 *   negative, or ≥ numClasses.
 */
export function classIndices(labels: tf.Tensor | null, numClasses: number, rows: number, name: string): tf.Tensor1D {
  if (labels === null) throw new Error(`${name} is null; expected integer labels of shape [${rows}]`);
  const flat = labels.rank === 2 && labels.shape[1] !== 1 ? labels.argMax(1) : labels.reshape([-1]);
  try {
    if (labels.rank > 2 || flat.shape[0] !== rows) {
      throw new Error(`${name} has shape ${formatShape(labels.shape)}; expected [${rows}] (one label per sample)`);
    }
    const values = flat.dataSync();
    for (let i = 0; i < values.length; i++) {
      const v = values[i];
      if (!Number.isInteger(v) || v < 0 || v >= numClasses) {
        throw new Error(`${name}[${i}] is ${v}; expected an integer in [0, ${numClasses - 1}]`);
      }
    }
    return flat.toInt() as tf.Tensor1D;
  } finally {
    flat.dispose();
  }
}
