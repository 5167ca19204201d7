import * as tf from '@tensorflow/tfjs';
import type { Classifier } from './classifier.js';
import { formatShape } from '../utils/shape.js';

/**
 * A copy of every model variable (weights and norm statistics, not optimizer state) as plain
 * float32 arrays in `namedParameters()` order: what a learner publishes so that an inference
 * copy of the same config can follow it. Arrays are fresh copies (transferable).
 */
export function readWeights(classifier: Classifier): Float32Array[] {
  return classifier.built.model.namedParameters().map(([, v]) => new Float32Array(v.dataSync() as Float32Array));
}

/**
 * Loads arrays produced by {@link readWeights} on a classifier of the same config.
 * @throws Error when the number of arrays or any length differs (nothing is assigned then).
 */
export function writeWeights(classifier: Classifier, arrays: readonly Float32Array[]): void {
  const variables = classifier.built.model.namedParameters();
  if (arrays.length !== variables.length) {
    throw new Error(`weights: got ${arrays.length} arrays; expected ${variables.length}, one per model variable`);
  }
  variables.forEach(([name, v], i) => {
    if (arrays[i].length !== v.size) throw new Error(`weights: ${name} has ${arrays[i].length} values; expected ${v.size} for shape ${formatShape(v.shape)}`);
  });
  tf.tidy(() => variables.forEach(([, v], i) => v.assign(tf.tensor(arrays[i], v.shape, 'float32'))));
}
