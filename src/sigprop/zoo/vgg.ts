import type { ModelConfig, VggConfig } from '../config/schema.js';
import { ConfigError } from '../config/parse.js';
import { Conv2d, outputSize } from '../nn/conv2d.js';
import { MaxPool2d, AvgPool2d } from '../nn/pooling.js';
import { Fixed } from '../propagators/other.js';
import type { Random } from '../utils/random.js';
import { buildSignal, convInputProjection } from './signal.js';
import { blockLayers, dropoutRandom } from './blocks.js';
import { wrapBlock } from './wrap.js';
import { denseHead } from './head.js';
import { assemble } from './assemble.js';
import type { BuiltModel, NetworkPart } from './learner.js';

/** A VGG plan entry: a 3×3 convolution block with that many channels, or a 2×2 pooling (`'pool'`). */
export type VggEntry = number | 'pool';

/** The reference examples' channel plans (`VGGn.cfgs`; their `'M'` is `'pool'` here). */
export const VGG_PLANS: Readonly<Record<VggConfig['name'], readonly VggEntry[]>> = {
  vgg6: [128, 'pool', 256, 'pool', 512, 'pool', 512, 'pool'],
  vgg8: [128, 256, 'pool', 256, 512, 'pool', 512, 'pool', 512, 'pool'],
  vgg11: [128, 128, 128, 256, 'pool', 256, 512, 'pool', 512, 512, 'pool', 512, 'pool'],
};

/** Channels of the `projection-context-input` signal's convolution (the examples' `input_ch = 128`). */
export const SIGNAL_CHANNELS = 128;

/** Images larger than this (pixels, either side) start with a 7×7 stride-2 convolution. */
const LARGE_INPUT = 64;

/** One layer of the features, with the NHWC shapes (one sample) around it. */
interface FeatureStep {
  /** Output channels of a convolution block, or `'pool'`. */
  entry: VggEntry;
  kernel: number;
  stride: number;
  padding: number;
  inShape: number[];
  outShape: number[];
}

/**
 * VGG-n from the reference examples (`VGGn`) as a forward-learning model, on NHWC images:
 * the signal (for `projection-context-input`, a 3×3 convolution of the image to 128 channels
 * and a projection of the context to `[H, W, 128]`, as the examples' "lpi" signal), then the
 * plan's convolution blocks `conv1`, `conv2`, … (`⌊channels·featMult⌋` channels, 3×3 stride 1
 * padding 1, or 7×7 stride 2 padding 3 for the first when the image is larger than 64 px; then
 * norm, nonlinearity and dropout per the block options), each learning with its own loss and
 * optimizer, 2×2 stride-2 max or average pooling (never learning), and a dense head of
 * `numLayers` hidden blocks (0: a single linear layer; see `denseHead`).
 * Input `[N, H, W, C]`, output logits `[N, classes]`.
 * @throws ConfigError, before anything is built, when `featMult` leaves a block with no channel
 *   or the image is too small for the plan's poolings.
 */
export function vgg(config: ModelConfig & { architecture: VggConfig }): BuiltModel {
  const arch = config.architecture;
  const [height, width, channels] = config.inputShape;
  const lpi = config.signal.kind === 'projection-context-input';
  const steps = planFeatures(config, lpi ? [height, width, SIGNAL_CHANNELS] : [height, width, channels]);
  const random = dropoutRandom(config.seed);
  const signal = buildSignal(config, () => ({ module: convInputProjection(channels, SIGNAL_CHANNELS), outputShape: [height, width, SIGNAL_CHANNELS] }));
  const features = buildFeatures(config, steps, random);
  return assemble(config, signal, [features, denseHead(config, arch, steps[steps.length - 1].outShape, random)], random);
}

/** The plan's layers with their shapes, from the signal's output shape `inShape`. */
function planFeatures(config: ModelConfig & { architecture: VggConfig }, inShape: number[]): FeatureStep[] {
  const arch = config.architecture;
  const large = Math.max(config.inputShape[0], config.inputShape[1]) > LARGE_INPUT;
  const steps: FeatureStep[] = [];
  let shape = inShape;
  for (const entry of VGG_PLANS[arch.name]) {
    const first = steps.every((s) => s.entry === 'pool');
    const [kernel, stride, padding] = entry === 'pool' ? [2, 2, 0] : first && large ? [7, 2, 3] : [3, 1, 1];
    const outChannels = entry === 'pool' ? shape[2] : blockChannels(entry, arch.featMult);
    const outShape = windowOutput(arch.name, shape, kernel, stride, padding, outChannels);
    steps.push({ entry: entry === 'pool' ? 'pool' : outChannels, kernel, stride, padding, inShape: shape, outShape });
    shape = outShape;
  }
  return steps;
}

/** Convolution blocks (learning, `conv1`, `conv2`, …) and poolings (fixed) of a plan. */
function buildFeatures(config: ModelConfig & { architecture: VggConfig }, steps: FeatureStep[], random: Random): NetworkPart {
  const arch = config.architecture;
  const part: NetworkPart = { propagators: [], learners: [] };
  let blocks = 0;
  for (const { entry, kernel, stride, padding, inShape, outShape } of steps) {
    if (entry === 'pool') {
      part.propagators.push(new Fixed(arch.pool === 'max' ? new MaxPool2d(2, 2) : new AvgPool2d(2, 2)));
      continue;
    }
    const conv = new Conv2d(inShape[2], entry, kernel, stride, padding, { bias: arch.bias });
    const wrapped = wrapBlock(`conv${++blocks}`, blockLayers(conv, arch, inShape, outShape, random), arch, config);
    part.propagators.push(...wrapped.propagators);
    part.learners.push(...wrapped.learners);
  }
  return part;
}

/** `⌊channels·featMult⌋` as the reference's `int(x * feat_mult)`. @throws ConfigError when 0. */
function blockChannels(channels: number, featMult: number): number {
  const scaled = Math.floor(channels * featMult);
  if (scaled < 1) {
    throw new ConfigError([{ path: '/architecture/featMult', message: `featMult ${featMult} leaves a ${channels}-channel block with no channel` }]);
  }
  return scaled;
}

/**
 * NHWC shape `[H', W', channels]` after a square window over `[H, W, ·]` (PyTorch's size rule).
 * @throws ConfigError at `/inputShape` when the activation has become smaller than the window.
 */
function windowOutput(name: string, [h, w]: number[], kernel: number, stride: number, padding: number, channels: number): number[] {
  if (Math.min(h, w) + 2 * padding < kernel) {
    throw new ConfigError([{ path: '/inputShape', message: `the image is too small for ${name}: an activation of ${h}×${w} px meets a ${kernel}×${kernel} window` }]);
  }
  return [outputSize(name, h, kernel, stride, padding), outputSize(name, w, kernel, stride, padding), channels];
}
