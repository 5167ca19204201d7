import * as tf from '@tensorflow/tfjs';
import type { Classifier } from './classifier.js';
import { formatShape } from '../utils/shape.js';
import { memoryOf } from '../backend/tensor-memory.js';

/**
 * A copy of every model variable (weights and norm statistics, not optimizer state) as plain
 * float32 arrays in `namedParameters()` order: what a learner publishes so that an inference
 * copy of the same config can follow it. The arrays are the caller's own (transferable).
 * @param spare arrays of an earlier copy to fill again, in the same order (one of another
 *   length, or detached, is replaced by a new array): a learner publishing ten copies of 12 MB a
 *   second otherwise makes its thread and its readers collect 120 MB of garbage a second.
 */
export function readWeights(classifier: Classifier, spare: readonly Float32Array[] = []): Float32Array[] {
  return copyValues(classifier.built.model.namedParameters().map(([, v]) => v), spare);
}

/**
 * Copies each float32 tensor's values into `spare[i]` when its length fits, else into a new
 * array, straight from the backend's memory where it allows (no intermediate copy).
 */
export function copyValues(tensors: readonly tf.Tensor[], spare: readonly Float32Array[] = []): Float32Array[] {
  const memory = memoryOf(tf.backend(), tf.getBackend());
  return tensors.map((t, i) => {
    const target = spare[i]?.length === t.size ? spare[i] : new Float32Array(t.size);
    target.set(memory ? memory.read(t) : (t.dataSync() as Float32Array));
    return target;
  });
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
  // In place where the backend allows, so the arrays are not kept (they may be reused); else copied.
  const memory = memoryOf(tf.backend(), tf.getBackend());
  tf.tidy(() =>
    variables.forEach(([, v], i) => {
      if (memory && !memory.shared(v)) {
        memory.read(v).set(arrays[i]);
        memory.changed(v);
      } else {
        v.assign(tf.tensor(arrays[i].slice(), v.shape, 'float32'));
      }
    }),
  );
}
