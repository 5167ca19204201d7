import * as tf from '@tensorflow/tfjs';
import type { TensorMemory } from '../backend/tensor-memory.js';

/** One variable's update: the parameter, its gradient, and its optimizer slots (rule order). */
export interface UpdateTarget {
  param: tf.Variable;
  grad: tf.Tensor;
  slots: tf.Variable[];
}

/**
 * An update over arrays: `states` are the parameter's then the slots' values, `outputs` where
 * their new values go (same order; an output may be its state, i.e. in place).
 */
export type ArrayRule = (states: Float32Array[], grad: Float32Array, outputs: Float32Array[]) => void;

/**
 * Applies `rule` to `target` in one pass over the backend's memory. A parameter or slot whose
 * data no other tensor shares is updated in place (and the backend told so, see
 * `TensorMemory.changed`); a shared one (a snapshot cloned it) gets a new buffer, assigned to
 * the variable, so the snapshot keeps its values. The gradient is only read.
 */
export function fusedUpdate(memory: TensorMemory, target: UpdateTarget, rule: ArrayRule): void {
  const states = [target.param, ...target.slots];
  // Allocate every new buffer before taking any view: on wasm an allocation may grow the heap
  // and detach the views taken before it.
  const fresh = states.map((s) => (memory.shared(s) ? memory.allocate(s.shape).out : null));
  const values = states.map((s) => memory.read(s));
  rule(values, memory.read(target.grad), fresh.map((f, i) => (f ? memory.read(f) : values[i])));
  states.forEach((s, i) => {
    const out = fresh[i];
    if (out === null) memory.changed(s);
    else {
      const t = tf.engine().makeTensorFromTensorInfo(out);
      s.assign(t);
      t.dispose();
    }
  });
}

/** An update over tensors: new values of the parameter then the slots, from `states` and `grad`. */
export type TensorRule = (states: tf.Tensor[], grad: tf.Tensor) => tf.Tensor[];

/**
 * Applies `rule` to `target` with tfjs ops (any backend, e.g. `tensorflow` or webgl, whose memory
 * this library cannot address): the same formulas as the array rules, one op per term.
 */
export function tensorUpdate(target: UpdateTarget, rule: TensorRule): void {
  const states = [target.param, ...target.slots];
  const next = tf.tidy(() => rule(states, target.grad));
  states.forEach((s, i) => s.assign(next[i]));
  tf.dispose(next);
}
