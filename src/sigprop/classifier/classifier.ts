import * as tf from '@tensorflow/tfjs';
import type { ModelConfig } from '../config/schema.js';
import type { BuiltModel } from '../zoo/learner.js';
import { needsBatch } from '../zoo/loss-by-name.js';
import { crossEntropy } from '../loss/similarity.js';
import { classIndices } from '../loss/labels.js';
import type { LayerMetrics } from '../monitors/monitor.js';
import type { Optimizer } from '../optim/optimizer.js';
import { formatShape } from '../utils/shape.js';

/** What one labelled update returns (tensors owned by the caller: dispose them). */
export interface LearnResult {
  /** Output logits `[N, classes]` computed **before** the update: the prequential prediction. */
  logits: tf.Tensor2D;
  /** Cross-entropy of those logits against the labels (the output layer's loss). */
  loss: tf.Scalar;
}

/**
 * A classifier that learns online by signal propagation: the unit a server hosts. It owns a
 * built sigprop model (signal, learning layers, `Identity` output), every optimizer, a
 * learned-sample counter and an update counter. `learn` is the reference training loop for one
 * batch (local steps in the forward pass, then cross-entropy on the output layer); `predict`
 * is plain inference. Build one with `fromConfig`.
 */
export class Classifier {
  /** Labelled samples learned so far. */
  samples = 0;
  /** Updates (learn calls) so far. */
  steps = 0;

  constructor(
    readonly config: ModelConfig,
    readonly built: BuiltModel,
  ) {}

  /**
   * Learns one batch. @param x `[N, ...inputShape]` float32; @param labels int `[N]` in
   * `[0, classes)`; @param fresh how many of the N samples are new (the rest are replayed
   * ones, which do not count in {@link Classifier.samples}); default N.
   * Returns the pre-update logits and the output loss.
   * @throws Error when x has the wrong shape, a label is out of range or not an integer, the
   *   loss needs ≥ 2 samples (v9/v14/v15) and N < 2, or `fresh` is not an integer in [0, N].
   *   Nothing is learned then.
   */
  learn(x: tf.Tensor, labels: tf.Tensor, fresh?: number): LearnResult {
    const n = this.checkInput(x);
    this.checkBatchSize(n);
    Classifier.checkFresh(fresh ?? n, n);
    const context = classIndices(labels, this.config.classes, n, 'labels');
    this.built.model.train();
    const result = tf.tidy(() => {
      const { output, loss } = this.built.model.learn({ x, context }, (out, c) => crossEntropy(out as tf.Tensor2D, c as tf.Tensor1D), this.built.outputOptimizer);
      return { logits: output as tf.Tensor2D, loss };
    });
    context.dispose();
    this.samples += fresh ?? n;
    this.steps += 1;
    return result;
  }

  /**
   * Plain inference (evaluation mode). @param x `[N, ...inputShape]` → logits `[N, classes]`.
   * @throws Error when x has the wrong shape.
   */
  predict(x: tf.Tensor): tf.Tensor2D {
    this.checkInput(x);
    this.built.model.eval();
    return tf.tidy(() => this.built.model.forward({ x, context: null }) as tf.Tensor2D);
  }

  /** Per-layer running loss and accuracy since the last {@link Classifier.resetMetrics}. */
  layerMetrics(): LayerMetrics[] {
    return this.built.learners.map((l) => l.monitor.metrics()[0]);
  }

  /** Starts a new metrics window. */
  resetMetrics(): void {
    for (const l of this.built.learners) l.monitor.reset();
  }

  /** Every optimizer with a stable name (`signal`, `hidden1`, …, `output`), for checkpoints. */
  optimizers(): Array<[string, Optimizer]> {
    const local = this.built.learners.filter((l) => l.optimizer !== null).map((l) => [l.name, l.optimizer] as [string, Optimizer]);
    return [...local, ['output', this.built.outputOptimizer]];
  }

  /** Releases every weight and every optimizer's state. */
  dispose(): void {
    for (const [, optimizer] of this.optimizers()) optimizer.dispose();
    this.built.model.dispose();
  }

  /** @throws Error when the loss compares samples (v9/v14/v15) and a batch has fewer than 2 (`n`). */
  checkBatchSize(n: number): void {
    if (needsBatch(this.config.loss) && n < 2) {
      throw new Error(`learn: loss ${this.config.loss.name} compares samples and needs at least 2 per update; got ${n}`);
    }
  }

  /**
   * Checks the count of new samples among a batch of `n` (the rest are replayed), shared by
   * `learn`, the pipeline (before it transfers a batch to its threads) and its stages.
   * @throws Error when `fresh` is not an integer in [0, n].
   */
  static checkFresh(fresh: number, n: number): void {
    if (Number.isInteger(fresh) && fresh >= 0 && fresh <= n) return;
    const given = typeof fresh === 'number' ? String(fresh) : `${JSON.stringify(fresh)} (a ${typeof fresh})`;
    throw new Error(`learn: fresh is ${given}; expected an integer in [0, ${n}] (how many of the batch's ${n} samples are new)`);
  }

  /** @returns N. @throws Error naming the shape seen and expected. */
  private checkInput(x: tf.Tensor): number {
    const expected = this.config.inputShape;
    if (!(x instanceof tf.Tensor) || x.rank !== expected.length + 1 || expected.some((d, i) => x.shape[i + 1] !== d)) {
      const seen = x instanceof tf.Tensor ? formatShape(x.shape) : typeof x;
      throw new Error(`x has shape ${seen}; expected [N, ${expected.join(', ')}]`);
    }
    if (x.shape[0] < 1) throw new Error('x has no samples; expected N ≥ 1');
    return x.shape[0];
  }
}
