import type * as tf from '@tensorflow/tfjs';
import { Sequential } from '../nn/sequential.js';
import { Learn } from '../propagators/learn.js';
import type { Flow } from '../propagators/types.js';
import type { Optimizer } from '../optim/optimizer.js';
import { localStep } from '../propagators/local-step.js';
import { Model, type ModelInput, type OutputLoss } from './model.js';

/**
 * The base forward-learning model: `(h, t) = signal(x, context, context)`, then
 * `(h, t, context) = network(h, t, context)`; returns `h` `[N, ...]` (the logits for a classifier).
 * Reference: `sigprop.models.Forward`.
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
    const layers = this.network.layers as Array<Sequential<Flow>['layers'][number]>;
    const split = layers.reduce((last, layer, i) => (layer instanceof Learn ? i + 1 : last), 0);
    const { h, t } = this.signal.forward({ h: input.x, t: input.context, context: input.context });
    const head = layers.slice(0, split).reduce((flow, layer) => layer.forward(flow), { h, t, context: input.context } as Flow);
    const { outputs, loss: value } = localStep(() => {
      const output = layers.slice(split).reduce((flow, layer) => layer.forward(flow), head).h;
      return { outputs: { output }, loss: loss(output, input.context) };
    }, optimizer);
    return { output: outputs.output, loss: value };
  }
}
