import type { ModelConfig } from '../config/schema.js';
import { Linear } from '../nn/linear.js';
import { Conv2d } from '../nn/conv2d.js';
import { LayerNorm } from '../nn/layer-norm.js';
import { BatchNorm } from '../nn/batch-norm.js';
import { ReLU } from '../nn/activations.js';
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
import type { Flow } from '../propagators/types.js';
import type { SignalFlow } from '../propagators/signals/types.js';
import { LabelMetrics } from '../monitors/label-metrics.js';
import { optimizerBuilder } from '../optim/optimizer.js';
import { shapeNumel } from '../utils/shape.js';
import { lossByName } from './loss-by-name.js';
import type { LocalLearner } from './learner.js';

/** The signal of a built model and the shape of one sample's activation after it. */
export interface BuiltSignal {
  learner: LocalLearner & { propagator: Module<Flow, SignalFlow> };
  /** One sample's `h` shape after the signal (`[D]` or NHWC `[H, W, C]`). */
  outputShape: number[];
}

/** A module that projects the input `x` for the `projection-context-input` signal. */
export interface InputProjection {
  module: Module;
  /** One sample's shape after `module`: `[D]` or NHWC `[H, W, C]`. */
  outputShape: number[];
}

/**
 * `Linear(inFeatures, out, no bias) → LayerNorm → ReLU`: the examples' learned projection
 * (`signal_modules_lp`, and the context half of `signal_modules_lpi`). `[N, inFeatures]` → `[N, out]`.
 */
export function projection(inFeatures: number, out: number): Sequential {
  return new Sequential(new Linear(inFeatures, out, { bias: false }), new LayerNorm(out), new ReLU());
}

/** `Linear(inFeatures, out, no bias)`: the examples' fixed projection (`signal_modules_fp`). */
export function fixedProjection(inFeatures: number, out: number): Linear {
  return new Linear(inFeatures, out, { bias: false });
}

/**
 * `Conv2d(inChannels, outChannels, 3, stride 1, padding 1, no bias) → BatchNorm2d → ReLU`: the
 * input half of the examples' `signal_modules_lpi` for images (the reference hard-codes 3 input
 * channels; here they are the image's). The BatchNorm is PyTorch's default one, with running
 * statistics used in eval mode. NHWC `[N, H, W, inChannels]` → `[N, H, W, outChannels]`.
 */
export function convInputProjection(inChannels: number, outChannels: number): Sequential {
  return new Sequential(
    new Conv2d(inChannels, outChannels, 3, 1, 1, { bias: false }),
    new BatchNorm(outChannels, { trackRunningStats: true }),
    new ReLU(),
  );
}

/** Labels `[N]` → one-hot `[N, C]` (per sample) or identity `[C, C]` (per class). */
function formatters(config: ModelConfig): Formatter[] {
  const onehot = new LabelNumberToOnehot(config.classes);
  return config.signal.targets === 'per-class' ? [onehot, new DistinctBatchLabelsOnehot()] : [onehot];
}

/**
 * Builds the signal a config asks for (the reference examples' signals), learning with the
 * config's loss and optimizer unless fixed:
 * - `projection-context-input` (the examples' "lpi"): a learned projection of the context to the
 *   shape `inputProjection()` gives, and that projection of the input;
 * - `projection-context` ("lp"): a learned projection of the context to the input's shape, `h = x`;
 * - `fixed-projection` ("fp"): a random linear projection of the context, frozen, never learning.
 * @param inputProjection builds the input's projection; called only for `projection-context-input`.
 */
export function buildSignal(config: ModelConfig, inputProjection: () => InputProjection): BuiltSignal {
  const monitor = new LabelMetrics('signal', lossByName(config.loss));
  const kind = config.signal.kind;
  let generator: Generator;
  let outputShape: number[];
  if (kind === 'projection-context-input') {
    const input = inputProjection();
    outputShape = input.outputShape;
    generator = new ProjectionContextInput(projection(config.classes, shapeNumel(outputShape)), input.module, [config.classes], outputShape);
  } else {
    outputShape = [...config.inputShape];
    const inFeatures = shapeNumel(config.inputShape);
    const fixed = kind === 'fixed-projection';
    const module = fixed ? fixedProjection(config.classes, inFeatures) : projection(config.classes, inFeatures);
    generator = new ProjectionContext(module, [config.classes], outputShape, { fixed });
  }
  const signal = new SignalSequential(...formatters(config), generator);
  if (kind === 'fixed-projection') {
    return { learner: { name: 'signal', propagator: new SignalFixed(signal), optimizer: null, monitor }, outputShape };
  }
  const optimizer = optimizerBuilder(config.optimizer)(signal);
  return { learner: { name: 'signal', propagator: new SignalLoss(signal, optimizer, monitor), optimizer, monitor }, outputShape };
}
