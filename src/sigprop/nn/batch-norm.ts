import * as tf from '@tensorflow/tfjs';
import { Module } from './module.js';
import { formatShape } from '../utils/shape.js';

/** Options of {@link BatchNorm}. */
export interface BatchNormOptions {
  /** Added to the variance before the square root (default 1e-5, PyTorch's). */
  eps?: number;
  /** Weight of the new batch in the running statistics (default 0.1, PyTorch's). */
  momentum?: number;
  /** Learn a per-channel scale `gamma` (init 1) and shift `beta` (init 0) (default true). */
  affine?: boolean;
  /**
   * Keep running statistics and use them in eval mode (default **false**, as the reference's
   * examples build their norms: `BatchNorm1d/2d(ch, track_running_stats=False)`; PyTorch's own
   * default is true).
   */
  trackRunningStats?: boolean;
}

/**
 * Batch normalisation over the channel (last) axis: PyTorch `nn.BatchNorm1d` on `[N, C]` and
 * `nn.BatchNorm2d` on NHWC `[N, H, W, C]` (the reference's NCHW `[N, C, H, W]`). Output has the
 * input's shape: `y = (x − mean) / √(var + eps) · gamma + beta`, per channel.
 *
 * Statistics, as in PyTorch:
 * - training mode: the batch's mean and biased variance over every axis but the channel one;
 *   with `trackRunningStats` the running statistics are also updated,
 *   `running = (1 − momentum)·running + momentum·batch` (the variance term unbiased, `n/(n−1)`).
 * - eval mode with `trackRunningStats`: the running statistics.
 * - eval mode without (the default, the reference examples' setting): batch statistics again.
 *
 * With `trackRunningStats`, the running statistics `runningMean` (init 0) and `runningVar`
 * (init 1), shape `[C]`, are registered as non-trainable variables: `namedParameters()` lists
 * them (checkpoints keep them) and optimizers skip them. PyTorch's cumulative average
 * (`momentum=None`) and `num_batches_tracked` are not ported.
 * @throws Error when the input is not `[N, C]` or `[N, H, W, C]` with `C = numFeatures`, or when
 *   batch statistics are needed and there is a single value per channel (PyTorch's
 *   "Expected more than 1 value per channel when training").
 */
export class BatchNorm extends Module {
  readonly eps: number;
  readonly momentum: number;
  readonly gamma: tf.Variable | null;
  readonly beta: tf.Variable | null;
  readonly runningMean: tf.Variable | null;
  readonly runningVar: tf.Variable | null;

  constructor(
    readonly numFeatures: number,
    options: BatchNormOptions = {},
  ) {
    super();
    this.eps = options.eps ?? 1e-5;
    this.momentum = options.momentum ?? 0.1;
    const affine = options.affine ?? true;
    const track = options.trackRunningStats ?? false;
    this.gamma = affine ? this.registerParameter('gamma', tf.ones([numFeatures])) : null;
    this.beta = affine ? this.registerParameter('beta', tf.zeros([numFeatures])) : null;
    this.runningMean = track ? this.registerParameter('runningMean', tf.zeros([numFeatures]), false) : null;
    this.runningVar = track ? this.registerParameter('runningVar', tf.ones([numFeatures]), false) : null;
  }

  forward(x: tf.Tensor): tf.Tensor {
    this.checkInput(x);
    return tf.tidy(() => {
      const { mean, variance } = this.statistics(x);
      let y = tf.mul(tf.sub(x, mean), tf.rsqrt(tf.add(variance, this.eps)));
      if (this.gamma && this.beta) y = tf.add(tf.mul(y, this.gamma), this.beta);
      return y;
    });
  }

  /** The mean and variance to normalise with, `[C]` each; updates the running statistics. */
  private statistics(x: tf.Tensor): { mean: tf.Tensor; variance: tf.Tensor } {
    const { runningMean, runningVar } = this;
    if (runningMean && runningVar && !this.training) return { mean: runningMean, variance: runningVar };
    const count = x.size / this.numFeatures;
    if (count < 2) {
      throw new Error(`BatchNorm: input shape ${formatShape(x.shape)} has 1 value per channel; batch statistics need more`);
    }
    const { mean, variance } = tf.moments(x, x.rank === 2 ? [0] : [0, 1, 2]);
    if (runningMean && runningVar) {
      blendInto(runningMean, mean, this.momentum, 1);
      blendInto(runningVar, variance, this.momentum, count / (count - 1));
    }
    return { mean, variance };
  }

  private checkInput(x: tf.Tensor): void {
    if ((x.rank !== 2 && x.rank !== 4) || x.shape[x.rank - 1] !== this.numFeatures) {
      throw new Error(
        `BatchNorm: input shape ${formatShape(x.shape)}; expected [N, ${this.numFeatures}] or NHWC [N, H, W, ${this.numFeatures}]`,
      );
    }
  }
}

/**
 * `running ← (1 − momentum)·running + momentum·scale·batch`. These ops lead to no loss, so a
 * surrounding gradient computation prunes them.
 */
function blendInto(running: tf.Variable, batch: tf.Tensor, momentum: number, scale: number): void {
  running.assign(tf.tidy(() => tf.add(tf.mul(running, 1 - momentum), tf.mul(batch, momentum * scale))));
}
