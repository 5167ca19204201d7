import type * as tf from '@tensorflow/tfjs';
import { Sequential } from '../nn/sequential.js';
import type { Module } from '../nn/module.js';
import { Learn } from '../propagators/learn.js';
import type { Flow } from '../propagators/types.js';
import type { Optimizer } from '../optim/optimizer.js';
import { localStep } from '../propagators/local-step.js';
import { Model, type ModelInput, type OutputLoss } from './model.js';

/**
 * The base forward-learning model: `(h, t) = signal(x, context, context)`, then
 * `(h, t, context) = network(h, t, context)`; returns `h` `[N, ...]` (the logits for a classifier).
 * Reference: `sigprop.models.Forward`.
 *
 * With a {@link Sequential} network, learning also runs in three parts — {@link Forward.learnSignal},
 * {@link Forward.learnLayers} over any range of the network's propagators, {@link Forward.learnTail}
 * — which is how a pipeline splits one model over threads: every learning propagator detaches its
 * outputs, so each part needs only the flow the part before it produced.
 */
export class Forward extends Model {
  static readonly optionNames: readonly string[] = [];

  forward({ x, context }: ModelInput): tf.Tensor {
    return this.sweep(x, context, context).h;
  }

  /**
   * {@link Model.learn} without recording the learning layers for the output's gradient: every
   * learning propagator detaches its outputs, so the output loss can only reach the layers after
   * the last one. The sweep up to there runs untaped and only the rest is differentiated — the
   * same update as the generic `learn`, without taping (and copying) the whole network.
   */
  override learn(input: { x: tf.Tensor; context: tf.Tensor }, loss: OutputLoss, optimizer: Optimizer | null): { output: tf.Tensor; loss: tf.Scalar } {
    if (!(this.network instanceof Sequential)) return super.learn(input, loss, optimizer);
    return this.learnTail(this.learnLayers(this.learnSignal(input), 0, this.tailStart()), loss, optimizer);
  }

  /** The network's propagators in order. @throws Error when the network is not a {@link Sequential}. */
  layers(): Array<Module<Flow, Flow>> {
    if (!(this.network instanceof Sequential)) throw new Error('Forward: the network is not a Sequential; it cannot be learned in parts');
    return (this.network as Sequential<Flow>).layers;
  }

  /** Index after the network's last learning propagator: where the output tail (trained by the output loss) starts. */
  tailStart(): number {
    return this.layers().reduce((last, layer, i) => (layer instanceof Learn ? i + 1 : last), 0);
  }

  /** The signal's pass (the signal learning when it has an optimizer): the flow `{h, t, context}` into the network. */
  learnSignal(input: { x: tf.Tensor; context: tf.Tensor }): Flow {
    const { h, t } = this.signal.forward({ h: input.x, t: input.context, context: input.context });
    return { h, t, context: input.context };
  }

  /** Runs the network's propagators `[from, to)` on `flow`, each learning propagator taking its local step. */
  learnLayers(flow: Flow, from: number, to: number): Flow {
    return this.layers().slice(from, to).reduce((f, layer) => layer.forward(f), flow);
  }

  /**
   * The output tail: the propagators from {@link Forward.tailStart} on, differentiated through
   * `loss` and stepped with `optimizer`. Returns the pre-update output and the loss.
   */
  learnTail(flow: Flow, loss: OutputLoss, optimizer: Optimizer | null): { output: tf.Tensor; loss: tf.Scalar } {
    const context = flow.context as tf.Tensor;
    const { outputs, loss: value } = localStep(() => {
      const output = this.learnLayers(flow, this.tailStart(), this.layers().length).h;
      return { outputs: { output }, loss: loss(output, context) };
    }, optimizer);
    return { output: outputs.output, loss: value };
  }
}
