import * as tf from '@tensorflow/tfjs';
import { Module } from '../../nn/module.js';
import type { Optimizer } from '../../optim/optimizer.js';
import type { SignalInput, SignalOutput } from '../../signals/types.js';
import { detach, detachOrNull } from '../../utils/detach.js';
import { localStep } from '../local-step.js';
import type { Flow } from '../types.js';
import type { SignalFlow } from './types.js';

/**
 * A signal that learns in the forward pass. Takes `(x, context, context)` as a {@link Flow}
 * (`h` = input, `t` = raw context) and returns `(h, t)`. The signal module (formatters +
 * generator) runs on `(h0, t0)` even without a target (to produce `h1`); with a target, its local
 * loss `loss(h1, t1, h0', t0', context)` (`t0'` = formatted context) is computed and, in training
 * mode, one step of its own optimizer is taken. Outputs are detached and pre-update.
 * `parameters()` is empty on purpose. Reference: `sigprop.propagators.signals.Learn`.
 */
export abstract class Learn extends Module<Flow, SignalFlow> {
  /** The loss of the last pass with a target (owned by this propagator), or null. */
  lastLoss: tf.Scalar | null = null;

  constructor(
    readonly module: Module<SignalInput, SignalOutput>,
    readonly optimizer: Optimizer | null = null,
  ) {
    super();
    this.registerModule('module', module);
  }

  /** The signal's local loss; arguments as in `LossFn`. */
  protected abstract localLoss(h1: tf.Tensor, t1: tf.Tensor, h0: tf.Tensor, t0: tf.Tensor, context: tf.Tensor | null): tf.Scalar;

  override parameters(): tf.Variable[] {
    return [];
  }

  override dispose(): void {
    this.lastLoss?.dispose();
    this.lastLoss = null;
    super.dispose();
  }

  forward({ h, t, context }: Flow): SignalFlow {
    const h0 = detach(h);
    if (t === null) {
      const { h1, t1 } = this.module.forward({ h: h0, t: null });
      return { h: detach(h1), t: detachOrNull(t1) };
    }
    const { outputs, loss } = localStep(() => {
      const out = this.module.forward({ h: h0, t: detach(t) });
      if (out.t1 === null || out.t0 === null) throw new Error('signal: the generator returned no target for a non-null context');
      return { outputs: { h1: out.h1, t1: out.t1 }, loss: this.localLoss(out.h1, out.t1, out.h0, out.t0, context) };
    }, this.training ? this.optimizer : null);
    this.lastLoss?.dispose();
    this.lastLoss = tf.keep(loss.clone());
    return { h: detach(outputs.h1), t: detachOrNull(outputs.t1) };
  }
}
