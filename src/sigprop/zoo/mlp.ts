import type { MlpConfig, ModelConfig } from '../config/schema.js';
import { Flatten } from '../nn/flatten.js';
import { Sequential } from '../nn/sequential.js';
import { shapeNumel } from '../utils/shape.js';
import { buildSignal, projection } from './signal.js';
import { denseHead } from './head.js';
import { dropoutRandom } from './blocks.js';
import { assemble } from './assemble.js';
import type { BuiltModel } from './learner.js';

/**
 * The reference examples' MLP (`Net`) as a forward-learning model: the signal, then `numLayers`
 * hidden blocks of `numHidden` units and the output layer (see `denseHead`). With the
 * `projection-context-input` signal the input is flattened and projected to `numHidden` units
 * (`Linear → LayerNorm → ReLU`), so the first block is `numHidden → numHidden`; the examples
 * instead project images with a 3-channel convolution, which fits colour images only. With the
 * defaults (`numHidden` 1024, 2 layers, LayerNorm, LeakyReLU, Adam 5e-4) this is the network of
 * `shared/bench/torch_reference.py`. Input `[N, ...inputShape]`, output logits `[N, classes]`.
 */
export function mlp(config: ModelConfig & { architecture: MlpConfig }): BuiltModel {
  const arch = config.architecture;
  const random = dropoutRandom(config.seed);
  const signal = buildSignal(config, () => ({
    module: new Sequential(new Flatten(), projection(shapeNumel(config.inputShape), arch.numHidden)),
    outputShape: [arch.numHidden],
  }));
  return assemble(config, signal, [denseHead(config, arch, signal.outputShape, random)], random);
}
