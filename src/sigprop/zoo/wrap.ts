import type { BlockOptions, ModelConfig } from '../config/schema.js';
import type { Module } from '../nn/module.js';
import { Sequential } from '../nn/sequential.js';
import { Loss } from '../propagators/loss.js';
import { Fixed } from '../propagators/other.js';
import type { Flow } from '../propagators/types.js';
import { LabelMetrics } from '../monitors/label-metrics.js';
import { optimizerBuilder } from '../optim/optimizer.js';
import { lossByName } from './loss-by-name.js';
import type { LocalLearner } from './learner.js';

/**
 * Wraps a block's sub-layers in propagators: one learning `Loss` propagator around the whole
 * block (`wrap: 'block'`), or, in the reference's fine mode, one per sub-layer that has
 * parameters and a `Fixed` one around each of the others.
 * @param name the block's name (`hidden1`, …); fine-mode learners get `hidden1.0`, `hidden1.1`, …
 * @returns the propagators to put in the network, in order, and the learners among them.
 */
export function wrapBlock(
  name: string,
  layers: Module[],
  options: BlockOptions,
  config: ModelConfig,
): { propagators: Array<Module<Flow, Flow>>; learners: LocalLearner[] } {
  if (options.wrap === 'block') {
    const learner = learnerFor(name, new Sequential(...layers), config);
    return { propagators: [learner.propagator as Module<Flow, Flow>], learners: [learner] };
  }
  const learners: LocalLearner[] = [];
  const propagators = layers.map((layer, i) => {
    if (layer.namedParameters().length === 0) return new Fixed(layer);
    const learner = learnerFor(`${name}.${i}`, layer, config);
    learners.push(learner);
    return learner.propagator as Module<Flow, Flow>;
  });
  return { propagators, learners };
}

function learnerFor(name: string, module: Module, config: ModelConfig): LocalLearner {
  const monitor = new LabelMetrics(name, lossByName(config.loss));
  const optimizer = optimizerBuilder(config.optimizer)(module);
  return { name, propagator: new Loss(module, optimizer, monitor), optimizer, monitor };
}
