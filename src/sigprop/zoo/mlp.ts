import type { MlpConfig, ModelConfig } from '../config/schema.js';
import { Linear } from '../nn/linear.js';
import { Sequential } from '../nn/sequential.js';
import type { Module } from '../nn/module.js';
import { Flatten } from '../nn/flatten.js';
import { Identity } from '../propagators/other.js';
import type { Flow } from '../propagators/types.js';
import { Forward } from '../models/forward.js';
import { Optimizer } from '../optim/optimizer.js';
import { shapeNumel } from '../utils/shape.js';
import { buildSignal } from './signal.js';
import { blockLayers } from './blocks.js';
import { wrapBlock } from './wrap.js';
import type { BuiltModel, LocalLearner } from './learner.js';

/**
 * The reference examples' MLP (`Net`) as a forward-learning model: the signal (see
 * `buildSignal`), then `numLayers` hidden blocks `Linear(width, numHidden) → norm → act
 * [→ dropout]`, each learning with its own loss and optimizer, then an output
 * `Linear(width, classes)` under `Identity`, trained by cross-entropy on the logits.
 * With the defaults (`numHidden` 1024, 2 layers, LayerNorm, LeakyReLU, Adam 5e-4) this is
 * the network of `shared/bench/torch_reference.py`.
 * Input `[N, ...inputShape]` (images are flattened), output logits `[N, classes]`.
 */
export function mlp(config: ModelConfig & { architecture: MlpConfig }): BuiltModel {
  const arch = config.architecture;
  const signal = buildSignal(config, arch.numHidden);
  const learners: LocalLearner[] = [signal.learner];
  const propagators: Array<Module<Flow, Flow>> = [];
  let width = shapeNumel(signal.outputShape);
  for (let i = 1; i <= arch.numLayers; i++) {
    const flatten = i === 1 && signal.outputShape.length > 1 ? [new Flatten()] : [];
    const layers = [...flatten, ...blockLayers(new Linear(width, arch.numHidden, { bias: arch.bias }), arch, [width], [arch.numHidden])];
    const wrapped = wrapBlock(`hidden${i}`, layers, arch, config);
    propagators.push(...wrapped.propagators);
    learners.push(...wrapped.learners);
    width = arch.numHidden;
  }
  const head = arch.numLayers === 0 && signal.outputShape.length > 1 ? new Sequential(new Flatten(), new Linear(width, config.classes)) : new Linear(width, config.classes);
  propagators.push(new Identity(head));
  const model = new Forward(new Sequential<Flow>(...propagators), signal.learner.propagator as never);
  return { model, learners, outputOptimizer: new Optimizer(config.optimizer, model.parameters()) };
}
