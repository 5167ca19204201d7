import type * as tf from '@tensorflow/tfjs';
import { Module } from '../nn/module.js';
import type { Optimizer } from '../optim/optimizer.js';
import type { Flow } from '../propagators/types.js';
import type { SignalFlow } from '../propagators/signals/types.js';
import { localStep } from '../propagators/local-step.js';

/** What a model is called with: the input `x` `[N, ...inputShape]` and the context (labels `[N]`, or null). */
export interface ModelInput {
  x: tf.Tensor;
  context: tf.Tensor | null;
}

/** A model-level loss on the output, e.g. cross-entropy of the logits against the labels. */
export type OutputLoss = (output: tf.Tensor, context: tf.Tensor) => tf.Scalar;

/**
 * Base of forward-learning models: holds the signal (a signal propagator) and the network
 * (propagators over `(h, t, context)`) and returns the final `h`. Calling it with a context
 * trains every learning layer in that same pass; with `context = null` it is plain inference.
 * Reference: `sigprop.models.Model`.
 */
export abstract class Model extends Module<ModelInput, tf.Tensor> {
  constructor(
    readonly network: Module<Flow, Flow>,
    readonly signal: Module<Flow, SignalFlow>,
  ) {
    super();
    this.registerModule('signal', signal);
    this.registerModule('network', network);
  }

  /** One sweep of signal then network; `h` and `t` from the signal. */
  protected sweep(x: tf.Tensor, signalContext: tf.Tensor | null, context: tf.Tensor | null): Flow {
    const { h, t } = this.signal.forward({ h: x, t: signalContext, context });
    return this.network.forward({ h, t, context });
  }

  /**
   * One labelled update as the reference's training loop does it: the forward pass (in which
   * every learning propagator takes its own step) followed by one step of `optimizer` on the
   * model-level parameters (the `Identity` output layer) for `loss(output, context)`.
   * Returns the output computed **before** any update (the prequential prediction) and the
   * output loss; both belong to the caller's tidy scope. Call in training mode.
   * @param optimizer over `this.parameters()`; null computes the loss without stepping.
   */
  learn(input: { x: tf.Tensor; context: tf.Tensor }, loss: OutputLoss, optimizer: Optimizer | null): { output: tf.Tensor; loss: tf.Scalar } {
    const { outputs, loss: value } = localStep(() => {
      const output = this.forward(input);
      return { outputs: { output }, loss: loss(output, input.context) };
    }, optimizer);
    return { output: outputs.output, loss: value };
  }
}
