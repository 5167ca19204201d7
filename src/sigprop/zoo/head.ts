import type { BlockOptions, ModelConfig } from '../config/schema.js';
import { Linear } from '../nn/linear.js';
import { Flatten } from '../nn/flatten.js';
import type { Module } from '../nn/module.js';
import { Identity, Forward } from '../propagators/other.js';
import type { Flow } from '../propagators/types.js';
import type { Random } from '../utils/random.js';
import { shapeNumel } from '../utils/shape.js';
import { blockLayers } from './blocks.js';
import { wrapBlock } from './wrap.js';
import type { LocalLearner, NetworkPart } from './learner.js';

/** The size of a dense head: hidden blocks and their width. */
export interface HeadOptions extends BlockOptions {
  numLayers: number;
  numHidden: number;
}

/**
 * The reference examples' `Net` after the signal (also VGG's classifier head): a flatten of
 * `h` and `t` when the input is an image (the examples' `sigpropF.propagators.forward(x, view)`,
 * so the next layer's loss compares flattened targets), then `numLayers` blocks
 * `Linear(width, numHidden) → norm → act [→ dropout]` named `hidden1`, `hidden2`, … each
 * learning with its own loss and optimizer, then the output `Linear(width, classes)` under
 * `Identity` (bias as the blocks'), trained by cross-entropy on the logits.
 * `numLayers: 0` leaves the single output layer. With `preActivation` the blocks are
 * `norm → act [→ dropout] → Linear`, the order of the examples' `BlockConv(act="pre")` (their
 * `BlockLinear` has no pre-activation form). Input `[N, ...inShape]` → logits `[N, classes]`.
 */
export function denseHead(config: ModelConfig, options: HeadOptions, inShape: number[], random: Random): NetworkPart {
  const propagators: Array<Module<Flow, Flow>> = inShape.length > 1 ? [new Forward(new Flatten())] : [];
  const learners: LocalLearner[] = [];
  let width = shapeNumel(inShape);
  for (let i = 1; i <= options.numLayers; i++) {
    const linear = new Linear(width, options.numHidden, { bias: options.bias });
    const wrapped = wrapBlock(`hidden${i}`, blockLayers(linear, options, [width], [options.numHidden], random), options, config);
    propagators.push(...wrapped.propagators);
    learners.push(...wrapped.learners);
    width = options.numHidden;
  }
  propagators.push(new Identity(new Linear(width, config.classes, { bias: options.bias })));
  return { propagators, learners };
}
