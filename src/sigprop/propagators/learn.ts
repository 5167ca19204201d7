import * as tf from '@tensorflow/tfjs';
import type { Module } from '../nn/module.js';
import type { Optimizer } from '../optim/optimizer.js';
import { detach } from '../utils/detach.js';
import { Propagator } from './propagator.js';
import { localStep } from './local-step.js';
import type { Flow } from './types.js';

/**
 * A propagator whose layer learns by itself in the forward pass. `h0` and `t0` are detached;
 * `h1 = module(h0)`; when a target is present, `t1 = module(t0)` with the **same weights** and a
 * local loss is computed: in training mode one optimizer step is taken on this module only, in
 * evaluation mode the loss is only computed (for metrics). Outputs are detached and were computed
 * before the update. Without a target (inference) only `h` is propagated.
 * `parameters()` is empty on purpose: an outer optimizer must never train this layer.
 * Reference: `sigprop.propagators.Learn`. Subclasses implement {@link Learn.localLoss}.
 */
export abstract class Learn extends Propagator {
  /** The loss of the last pass with a target (a scalar owned by this propagator), or null. */
  lastLoss: tf.Scalar | null = null;

  constructor(
    readonly module: Module,
    readonly optimizer: Optimizer | null = null,
  ) {
    super();
    this.registerModule('module', module);
  }

  /** The local loss of this layer; arguments as in `LossFn`. */
  protected abstract localLoss(h1: tf.Tensor, t1: tf.Tensor, h0: tf.Tensor, t0: tf.Tensor, context: tf.Tensor | null): tf.Scalar;

  override parameters(): tf.Variable[] {
    return [];
  }

  override dispose(): void {
    this.lastLoss?.dispose();
    this.lastLoss = null;
    super.dispose();
  }

  forward({ h, t, context }: Flow): Flow {
    const h0 = detach(h);
    if (t === null) return { h: detach(this.module.forward(h0)), t: null, context };
    const t0 = detach(t);
    const { outputs, loss } = localStep(() => {
      const h1 = this.module.forward(h0);
      const t1 = this.module.forward(t0);
      return { outputs: { h1, t1 }, loss: this.localLoss(h1, t1, h0, t0, context) };
    }, this.training ? this.optimizer : null);
    this.recordLoss(loss);
    return { h: detach(outputs.h1), t: detach(outputs.t1), context };
  }

  private recordLoss(loss: tf.Scalar): void {
    this.lastLoss?.dispose();
    this.lastLoss = tf.keep(loss.clone());
  }
}
