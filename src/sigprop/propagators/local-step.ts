import * as tf from '@tensorflow/tfjs';
import type { Optimizer } from '../optim/optimizer.js';

/** Tensors a local step computes besides its loss (activations, possibly null). */
export type StepOutputs = Record<string, tf.Tensor | null>;

/**
 * One local learning step, the heart of signal propagation: `compute` builds the layer's outputs
 * and its loss from the current weights; when `optimizer` has trainable variables, their
 * gradients of that loss are taken and applied (one step), nothing else is touched.
 * The returned outputs were computed **before** the update (the reference's behaviour, which
 * gives the free prequential prediction). Outputs and loss belong to the caller's tidy scope.
 * Reference: `Loss.train_` (`zero_grad`, `backward`, `step`).
 */
export function localStep<O extends StepOutputs>(
  compute: () => { outputs: O; loss: tf.Scalar },
  optimizer: Optimizer | null,
): { outputs: O; loss: tf.Scalar } {
  const variables = optimizer?.trainable() ?? [];
  if (optimizer === null || variables.length === 0) return compute();
  let kept: O | undefined;
  const { value, grads } = tf.variableGrads(() => {
    const { outputs, loss } = compute();
    // Keep a clone, never the output itself: an output may be a tensor from outside (a signal
    // passing its input through), which retrack would otherwise dispose.
    kept = mapTensors(outputs, (t) => tf.keep(t.clone()));
    return loss;
  }, variables);
  optimizer.apply(grads);
  return { outputs: mapTensors(kept as O, retrack), loss: value };
}

/** Moves a kept tensor back under the current tidy scope (a clone shares the data; no copy). */
function retrack(t: tf.Tensor): tf.Tensor {
  const tracked = t.clone();
  t.dispose();
  return tracked;
}

function mapTensors<O extends StepOutputs>(outputs: O, fn: (t: tf.Tensor) => tf.Tensor): O {
  const seen = new Map<tf.Tensor, tf.Tensor>();
  const mapped: StepOutputs = {};
  for (const [key, t] of Object.entries(outputs)) {
    if (t === null) mapped[key] = null;
    else {
      if (!seen.has(t)) seen.set(t, fn(t));
      mapped[key] = seen.get(t) as tf.Tensor;
    }
  }
  return mapped as O;
}
