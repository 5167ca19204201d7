import type { ModelConfig } from '../config/schema.js';
import { Sequential } from '../nn/sequential.js';
import type { Flow } from '../propagators/types.js';
import { Forward } from '../models/forward.js';
import { Optimizer } from '../optim/optimizer.js';
import type { Random } from '../utils/random.js';
import type { BuiltSignal } from './signal.js';
import type { BuiltModel, NetworkPart } from './learner.js';

/**
 * Puts a zoo model together: `Forward(network, signal)` with the parts' propagators in order as
 * the network, every local learner (the signal's first), and an optimizer of `config.optimizer`
 * over the model-level parameters (those of the `Identity` output layer).
 */
export function assemble(config: ModelConfig, signal: BuiltSignal, parts: NetworkPart[], random: Random): BuiltModel {
  const network = new Sequential<Flow>(...parts.flatMap((p) => p.propagators));
  const model = new Forward(network, signal.learner.propagator as never);
  return {
    model,
    learners: [signal.learner, ...parts.flatMap((p) => p.learners)],
    outputOptimizer: new Optimizer(config.optimizer, model.parameters()),
    random,
  };
}
