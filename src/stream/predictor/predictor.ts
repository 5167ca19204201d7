import * as tf from '@tensorflow/tfjs';
import type { Classifier } from '../../sigprop/classifier/classifier.js';
import { writeWeights } from '../../sigprop/classifier/weights.js';
import type { WeightsSnapshot } from '../learner/protocol.js';

/**
 * The inference copy of a model (it runs in the prediction thread, see `thread.ts`): answers
 * predictions with the latest weights the learner published, never waiting for a training step.
 * A snapshot is loaded as soon as the thread is free (a burst of snapshots costs one load), or
 * by the next prediction if that comes first.
 */
export class Predictor {
  private step: number;
  private pendingSnapshot: WeightsSnapshot | null = null;
  private scheduled = false;

  /**
   * @param classifier an instance of the model's config; its weights are replaced by snapshots.
   * @param step the update count of the weights it starts with.
   * @param done receives each snapshot's arrays once they are loaded or superseded (for reuse).
   */
  constructor(
    private readonly classifier: Classifier,
    step = 0,
    private readonly done: (arrays: Float32Array[]) => void = () => undefined,
  ) {
    this.step = step;
  }

  /**
   * Takes the learner's latest snapshot. Snapshots arrive in publication order, so the last one
   * offered is the current weights even when its step is lower (after a rollback).
   */
  offer(snapshot: WeightsSnapshot): void {
    if (this.pendingSnapshot) this.done(this.pendingSnapshot.arrays);
    this.pendingSnapshot = snapshot;
    if (this.scheduled) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      this.loadPending();
    });
  }

  /**
   * Loads the snapshot offered last, if not loaded yet (a prediction calls it first).
   * @throws Error when the snapshot does not fit the model (see `writeWeights`).
   */
  loadPending(): void {
    if (!this.pendingSnapshot) return;
    const snapshot = this.pendingSnapshot;
    this.pendingSnapshot = null;
    writeWeights(this.classifier, snapshot.arrays);
    this.step = snapshot.step;
    this.done(snapshot.arrays);
  }

  /**
   * Predicts N inputs with the weights loaded. @param x row-major `[N, features]` float32 →
   * softmax probabilities, row-major `[N, classes]`, and the step of those weights.
   * @throws Error when x has the wrong size.
   */
  predict(x: Float32Array, n: number): { probs: Float32Array; step: number } {
    const input = tf.tensor(x, [n, ...this.classifier.config.inputShape], 'float32');
    const logits = this.classifier.predict(input);
    const probs = tf.tidy(() => tf.softmax(logits).dataSync() as Float32Array);
    tf.dispose([input, logits]);
    return { probs, step: this.step };
  }

  /** Releases the weights. */
  dispose(): void {
    this.classifier.dispose();
  }
}
