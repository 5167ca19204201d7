import type * as tf from '@tensorflow/tfjs';
import { Formatter } from './formatter.js';
import {
  labelNumberToOnehot,
  distinctBatchLabelsOnehot,
  distinctBatchLabels,
  labelVectorToNumber,
} from '../functional/formatters.js';

/**
 * Integer labels `[B]` → float one-hot `[B, C]`. With `numClasses` omitted, C = max label + 1
 * (the reference uses the max itself, which fails on the largest label; not copied).
 * Reference: `sigprop.signals.LabelNumberToOnehot`.
 * @throws Error when a label is not an integer in [0, C).
 */
export class LabelNumberToOnehot extends Formatter {
  constructor(readonly numClasses?: number) {
    super();
  }

  protected format(t: tf.Tensor): tf.Tensor {
    return labelNumberToOnehot(t, this.numClasses);
  }
}

/**
 * One-hot `[B, C]` → identity `[C, C]`: one target row per class, so `t` becomes class
 * prototypes (use with `v1InputLabelDirect`). Reference: `DistinctBatchLabelsOnehot`.
 */
export class DistinctBatchLabelsOnehot extends Formatter {
  protected format(t: tf.Tensor): tf.Tensor {
    return distinctBatchLabelsOnehot(t);
  }
}

/** One-hot `[B, C]` → float `[C]` holding `0..C-1`. Reference: `DistinctBatchLabels`. */
export class DistinctBatchLabels extends Formatter {
  protected format(t: tf.Tensor): tf.Tensor {
    return distinctBatchLabels(t);
  }
}

/** One-hot (or score) vectors `[B, C]` → float argmax `[B, 1]`. Reference: `LabelVectorToNumber`. */
export class LabelVectorToNumber extends Formatter {
  protected format(t: tf.Tensor): tf.Tensor {
    return labelVectorToNumber(t);
  }
}
