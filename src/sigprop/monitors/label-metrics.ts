import * as tf from '@tensorflow/tfjs';
import { Loss, asLossFn, type LossFn, type LossLike } from '../loss/types.js';
import { similarityMatrixXY } from '../loss/similarity.js';
import type { LayerMetrics, Monitor } from './monitor.js';

/**
 * Wraps a loss and records, per layer, the running mean loss and accuracy; use it wherever the
 * loss goes. Accuracy: `pred_i = argmax_j (h1_i · t1_j)`; when `t1` has one row per sample a
 * prediction is correct if sample `pred_i` has the label of sample i, otherwise (class
 * prototypes) if `pred_i` equals label i. Labels come from `context` (`[N]` ints or `[N, C]`).
 * Reference: `sigprop.monitors.LabelMetrics`.
 */
export class LabelMetrics extends Loss implements Monitor {
  private readonly inner: LossFn;
  private lossSum = 0;
  private correctSum = 0;
  private count = 0;
  private lossLast = 0;
  private accuracyLast = 0;

  constructor(
    readonly name: string,
    loss: LossLike,
  ) {
    super();
    this.inner = asLossFn(loss);
  }

  forward(propagator: unknown, h1: tf.Tensor, t1: tf.Tensor, h0: tf.Tensor, t0: tf.Tensor, context: tf.Tensor | null): tf.Scalar {
    const loss = this.inner(propagator, h1, t1, h0, t0, context);
    const n = h1.shape[0];
    const correct = context === null ? 0 : countCorrect(h1, t1, context);
    this.lossLast = loss.dataSync()[0];
    this.accuracyLast = correct / n;
    this.lossSum += this.lossLast * n;
    this.correctSum += correct;
    this.count += n;
    return loss;
  }

  reset(): void {
    this.lossSum = this.correctSum = this.count = this.lossLast = this.accuracyLast = 0;
  }

  metrics(): LayerMetrics[] {
    const count = this.count;
    return [
      {
        name: this.name,
        loss: count ? this.lossSum / count : 0,
        accuracy: count ? this.correctSum / count : 0,
        lossLast: this.lossLast,
        accuracyLast: this.accuracyLast,
        count,
      },
    ];
  }
}

/** Number of samples whose most similar target row is a correct one (see {@link LabelMetrics}). */
function countCorrect(h1: tf.Tensor, t1: tf.Tensor, context: tf.Tensor): number {
  return tf.tidy(() => {
    const pred = similarityMatrixXY(h1, t1, ['h1', 't1']).argMax(1);
    const labels = (context.rank === 2 && context.shape[1] !== 1 ? context.argMax(1) : context.reshape([-1])).toInt();
    const predicted = t1.shape[0] === h1.shape[0] ? tf.gather(labels, pred) : pred;
    return tf.equal(predicted, labels).sum().dataSync()[0];
  });
}
