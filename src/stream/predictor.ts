import * as tf from '@tensorflow/tfjs';
import type { Classifier } from '../sigprop/classifier/classifier.js';
import { writeWeights } from '../sigprop/classifier/weights.js';
import type { WeightsSnapshot } from './learner/protocol.js';

/** A prediction before it gets an id: class, probabilities and the step of the weights used. */
export interface RawPrediction {
  label: number;
  probs: number[];
  step: number;
}

/**
 * The inference copy of a model on the main thread: answers predictions at once with the
 * latest weights the learner published (never waiting for a training step). A snapshot is
 * loaded as soon as the event loop is free (a burst of snapshots costs one load), or by the
 * next prediction if that comes first.
 */
export class Predictor {
  private step: number;
  private pendingSnapshot: WeightsSnapshot | null = null;
  private scheduled = false;

  /** @param classifier an instance of the model's config; its weights are replaced by snapshots. */
  constructor(
    private readonly classifier: Classifier,
    step = 0,
  ) {
    this.step = step;
  }

  /**
   * Takes the learner's latest snapshot. Snapshots arrive in publication order, so the last one
   * offered is the current weights even when its step is lower (after a rollback).
   */
  offer(snapshot: WeightsSnapshot): void {
    this.pendingSnapshot = snapshot;
    if (this.scheduled) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      this.applyPending();
    });
  }

  /** The step of the newest weights known (applied or waiting). */
  latestStep(): number {
    return this.pendingSnapshot?.step ?? this.step;
  }

  /**
   * Predicts N inputs. @param x row-major `[N, features]` float32 → one prediction per row.
   */
  predict(x: Float32Array, n: number): RawPrediction[] {
    this.applyPending();
    const input = tf.tensor(x, [n, ...this.classifier.config.inputShape], 'float32');
    const logits = this.classifier.predict(input);
    const probs = tf.tidy(() => tf.softmax(logits).dataSync() as Float32Array);
    tf.dispose([input, logits]);
    const classes = this.classifier.config.classes;
    return Array.from({ length: n }, (_, i) => {
      const row = Array.from(probs.subarray(i * classes, (i + 1) * classes));
      return { label: argmax(row), probs: row, step: this.step };
    });
  }

  /** Releases the weights. */
  dispose(): void {
    this.classifier.dispose();
  }

  private applyPending(): void {
    if (!this.pendingSnapshot) return;
    writeWeights(this.classifier, this.pendingSnapshot.arrays);
    this.step = this.pendingSnapshot.step;
    this.pendingSnapshot = null;
  }
}

/** Index of the first largest value. */
export function argmax(values: ArrayLike<number>): number {
  let best = 0;
  for (let i = 1; i < values.length; i++) if (values[i] > values[best]) best = i;
  return best;
}
