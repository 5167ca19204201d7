import type { ModelConfig } from '../config/schema.js';
import { shapeNumel } from '../utils/shape.js';
import { VGG_PLANS, SIGNAL_CHANNELS } from './vgg.js';

/** Most weights a zoo model may have (~400 MB of float32, ~1.2 GB with Adam's moments). */
export const MAX_PARAMETERS = 100_000_000;

/**
 * Roughly how many weights a config's model has — the dense and convolution kernels, which
 * dominate; enough to refuse a config that would exhaust memory before anything is allocated.
 */
export function estimateParameters(config: ModelConfig): number {
  const arch = config.architecture;
  const inputs = shapeNumel(config.inputShape);
  if (arch.name === 'mlp') {
    const width = config.signal.kind === 'projection-context-input' ? arch.numHidden : inputs;
    const signal = (inputs + config.classes) * width;
    return signal + arch.numHidden * (width + (arch.numLayers - 1) * arch.numHidden + config.classes);
  }
  const channels = VGG_PLANS[arch.name].filter((e): e is number => e !== 'pool').map((c) => Math.max(1, Math.floor(c * arch.featMult)));
  let previous = config.signal.kind === 'projection-context-input' ? SIGNAL_CHANNELS : config.inputShape[2];
  let convolutions = previous * config.inputShape[2] * 9;
  for (const c of channels) {
    convolutions += previous * c * 9;
    previous = c;
  }
  return convolutions + arch.numHidden * (previous + arch.numLayers * arch.numHidden + config.classes);
}
