import type { ModelConfig } from '../config/schema.js';
import { Linear } from '../nn/linear.js';
import { LayerNorm } from '../nn/layer-norm.js';
import { ReLU } from '../nn/activations.js';
import { Flatten } from '../nn/flatten.js';
import { Sequential } from '../nn/sequential.js';
import type { Module } from '../nn/module.js';
import { LabelNumberToOnehot, DistinctBatchLabelsOnehot } from '../signals/label-formatters.js';
import { Sequential as SignalSequential } from '../signals/sequential.js';
import { ProjectionContext } from '../signals/projection-context.js';
import { ProjectionContextInput } from '../signals/projection-context-input.js';
import type { Formatter } from '../signals/formatter.js';
import type { Generator } from '../signals/generator.js';
import { Loss as SignalLoss } from '../propagators/signals/loss.js';
import { Fixed as SignalFixed } from '../propagators/signals/fixed.js';
import { LabelMetrics } from '../monitors/label-metrics.js';
import { optimizerBuilder } from '../optim/optimizer.js';
import { shapeNumel } from '../utils/shape.js';
import { lossByName } from './loss-by-name.js';
import type { LocalLearner } from './learner.js';

/** The signal of a built model and the shape of one sample's activation after it. */
export interface BuiltSignal {
  learner: LocalLearner;
  /** One sample's `h` shape after the signal (`[D]` or NHWC `[H, W, C]`). */
  outputShape: number[];
}

/** `Linear(inFeatures, out, no bias) → LayerNorm → ReLU`: the examples' learned projection. */
export function projection(inFeatures: number, out: number): Sequential {
  return new Sequential(new Linear(inFeatures, out, { bias: false }), new LayerNorm(out), new ReLU());
}

/** Labels `[N]` → one-hot `[N, C]` (per sample) or identity `[C, C]` (per class). */
function formatters(config: ModelConfig): Formatter[] {
  const onehot = new LabelNumberToOnehot(config.classes);
  return config.signal.targets === 'per-class' ? [onehot, new DistinctBatchLabelsOnehot()] : [onehot];
}

/**
 * Builds the signal a config asks for (the reference examples' signals):
 * - `projection-context-input`: learned projections of the context and of the input to
 *   `[width]` (`inputModule` given, e.g. a conv stem for images; default flatten + projection);
 * - `projection-context`: a learned projection of the context to the input's shape, `h = x`;
 * - `fixed-projection`: the same projection, random and frozen, never learning.
 * @param width first hidden width for `projection-context-input`.
 */
export function buildSignal(config: ModelConfig, width: number, inputModule?: { module: Module; outputShape: number[] }): BuiltSignal {
  const loss = new LabelMetrics('signal', lossByName(config.loss));
  const inFeatures = shapeNumel(config.inputShape);
  let generator: Generator;
  let outputShape: number[];
  if (config.signal.kind === 'projection-context-input') {
    const input = inputModule ?? { module: new Sequential(new Flatten(), projection(inFeatures, width)), outputShape: [width] };
    outputShape = input.outputShape;
    generator = new ProjectionContextInput(projection(config.classes, shapeNumel(outputShape)), input.module, [config.classes], outputShape);
  } else {
    outputShape = [...config.inputShape];
    const fixed = config.signal.kind === 'fixed-projection';
    generator = new ProjectionContext(projection(config.classes, inFeatures), [config.classes], outputShape, { fixed });
  }
  const signal = new SignalSequential(...formatters(config), generator);
  if (config.signal.kind === 'fixed-projection') {
    return { learner: { name: 'signal', propagator: new SignalFixed(signal), optimizer: null, monitor: loss }, outputShape };
  }
  const optimizer = optimizerBuilder(config.optimizer)(signal);
  return { learner: { name: 'signal', propagator: new SignalLoss(signal, optimizer, loss), optimizer, monitor: loss }, outputShape };
}
