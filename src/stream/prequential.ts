import { argmax } from './argmax.js';

/** Test-then-train outcome of one item: was the pre-update prediction right, and its loss. */
export interface PrequentialItem {
  correct: boolean;
  /** Cross-entropy −log p(y), natural log. */
  loss: number;
}

/**
 * Scores the first `count` rows of pre-update logits (row-major `[N, classes]`) against their
 * labels: the prequential (test-then-train) evaluation that the training pass gives for free.
 */
export function scorePrequential(logits: Float32Array, labels: ArrayLike<number>, count: number, classes: number): PrequentialItem[] {
  return Array.from({ length: count }, (_, i) => {
    const row = logits.subarray(i * classes, (i + 1) * classes);
    const max = row.reduce((m, v) => Math.max(m, v), -Infinity);
    const logSum = Math.log(row.reduce((s, v) => s + Math.exp(v - max), 0)) + max;
    return { correct: argmax(row) === labels[i], loss: logSum - row[labels[i]] };
  });
}
