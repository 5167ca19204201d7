import * as tf from '@tensorflow/tfjs';
import type { Module } from '../nn/module.js';
import { Sequential } from '../nn/sequential.js';
import { Linear } from '../nn/linear.js';
import { Conv2d } from '../nn/conv2d.js';
import { LayerNorm } from '../nn/layer-norm.js';
import { BatchNorm } from '../nn/batch-norm.js';
import { InstanceNorm2d } from '../nn/instance-norm.js';
import { ReLU, LeakyReLU, Tanh } from '../nn/activations.js';
import { Dropout, Dropout2d } from '../nn/dropout.js';
import { MaxPool2d, AvgPool2d } from '../nn/pooling.js';
import { Flatten } from '../nn/flatten.js';

/**
 * A tfjs layer and the values of its weights in tfjs's order (none: the layer has no weights).
 * The values are new tensors (clones share the module's data): whoever sets them disposes them.
 */
export interface LayerWithWeights {
  layer: tf.layers.Layer;
  weights: tf.Tensor[];
}

/**
 * Standard tfjs layers that compute what `module` computes in eval mode, in order, with its
 * current weights (a module tree of `Sequential`s and leaf modules; dropout is the identity at
 * inference and is left out). Ports: `Linear` → dense; `Conv2d` → conv2d (`same` padding when
 * it equals PyTorch's, else zeroPadding2d + `valid`); `LayerNorm` → layerNormalization;
 * `BatchNorm` → batchNormalization with running statistics, or, without (normalising with the
 * batch's own statistics in eval mode too, as the module does), layerNormalization over the
 * batch axes plus a per-channel affine; `InstanceNorm2d` → layerNormalization over the spatial
 * axes plus a per-channel affine; ReLU, LeakyReLU, Tanh; max and average pooling; flatten.
 * @param rank rank of the module's input, batch axis included (2 for `[N, D]`, 4 for NHWC).
 * @returns the layers and the rank of the output.
 * @throws Error for a module with no such port (e.g. max pooling with padding).
 */
export function toTfjsLayers(module: Module, rank: number): { layers: LayerWithWeights[]; rank: number } {
  if (module instanceof Sequential) {
    const layers: LayerWithWeights[] = [];
    for (const child of module.layers) {
      const converted = toTfjsLayers(child, rank);
      layers.push(...converted.layers);
      rank = converted.rank;
    }
    return { layers, rank };
  }
  // A rank-2 input is already flat, and tfjs's flatten layer refuses anything below rank 3.
  if (module instanceof Flatten) return { layers: rank > 2 ? [plain(tf.layers.flatten())] : [], rank: 2 };
  return { layers: leafLayers(module, rank), rank };
}

function leafLayers(module: Module, rank: number): LayerWithWeights[] {
  if (module instanceof Linear) return [dense(module)];
  if (module instanceof Conv2d) return conv(module);
  if (module instanceof LayerNorm) return [layerNorm(module)];
  if (module instanceof BatchNorm) return batchNorm(module, rank);
  if (module instanceof InstanceNorm2d) {
    const normalise = tf.layers.layerNormalization({ axis: [1, 2], center: false, scale: false, epsilon: module.eps });
    return [plain(normalise), ...channelAffine(module.gamma, module.beta, rank)];
  }
  if (module instanceof ReLU) return [plain(tf.layers.reLU())];
  if (module instanceof LeakyReLU) return [plain(tf.layers.leakyReLU({ alpha: module.negativeSlope }))];
  if (module instanceof Tanh) return [plain(tf.layers.activation({ activation: 'tanh' }))];
  if (module instanceof Dropout || module instanceof Dropout2d) return [];
  if (module instanceof MaxPool2d) return maxPool(module);
  if (module instanceof AvgPool2d) return avgPool(module);
  throw new Error(`exportTfjs: a ${module.constructor.name} has no tfjs layer equivalent`);
}

function plain(layer: tf.layers.Layer): LayerWithWeights {
  return { layer, weights: [] };
}

function dense(module: Linear): LayerWithWeights {
  const layer = tf.layers.dense({ units: module.outFeatures, useBias: module.bias !== null });
  return { layer, weights: [module.kernel.clone(), ...(module.bias ? [module.bias.clone()] : [])] };
}

function conv(module: Conv2d): LayerWithWeights[] {
  const [ph, pw] = module.padding;
  // PyTorch pads `p` on every side; tfjs's 'same' does too exactly when stride is 1 and k = 2p + 1.
  const same = module.stride.every((s) => s === 1) && module.kernelSize.every((k, i) => k === 2 * module.padding[i] + 1);
  const pad = !same && (ph > 0 || pw > 0) ? [plain(tf.layers.zeroPadding2d({ padding: [[ph, ph], [pw, pw]] }))] : [];
  const layer = tf.layers.conv2d({
    filters: module.outChannels,
    kernelSize: module.kernelSize,
    strides: module.stride,
    padding: same ? 'same' : 'valid',
    useBias: module.bias !== null,
  });
  return [...pad, { layer, weights: [module.kernel.clone(), ...(module.bias ? [module.bias.clone()] : [])] }];
}

function layerNorm(module: LayerNorm): LayerWithWeights {
  const k = module.normalizedShape.length;
  const affine = module.gamma !== null && module.beta !== null;
  const axis = module.normalizedShape.map((_, i) => i - k);
  const layer = tf.layers.layerNormalization({ axis, epsilon: module.eps, center: affine, scale: affine });
  return { layer, weights: affine ? [(module.gamma as tf.Variable).clone(), (module.beta as tf.Variable).clone()] : [] };
}

function batchNorm(module: BatchNorm, rank: number): LayerWithWeights[] {
  const affine = module.gamma !== null && module.beta !== null;
  if (module.runningMean && module.runningVar) {
    const layer = tf.layers.batchNormalization({ axis: -1, epsilon: module.eps, center: affine, scale: affine });
    const scale = affine ? [(module.gamma as tf.Variable).clone(), (module.beta as tf.Variable).clone()] : [];
    return [{ layer, weights: [...scale, module.runningMean.clone(), module.runningVar.clone()] }];
  }
  // The batch's own statistics: normalise over every axis but the channel one.
  const axis = rank === 2 ? [0] : [0, 1, 2];
  const normalise = tf.layers.layerNormalization({ axis, center: false, scale: false, epsilon: module.eps });
  return [plain(normalise), ...channelAffine(module.gamma, module.beta, rank)];
}

/**
 * `x·gamma + beta` per channel (last axis) as standard layers: a 1×1 depthwise convolution with
 * bias (exact: one product and one sum per value), reshaped around for `[N, D]` inputs.
 */
function channelAffine(gamma: tf.Variable | null, beta: tf.Variable | null, rank: number): LayerWithWeights[] {
  if (!gamma || !beta) return [];
  const channels = gamma.shape[0];
  const layer = tf.layers.depthwiseConv2d({ kernelSize: 1, depthMultiplier: 1, useBias: true });
  const affine = { layer, weights: [gamma.reshape([1, 1, channels, 1]), beta.clone()] };
  if (rank === 4) return [affine];
  return [plain(tf.layers.reshape({ targetShape: [1, 1, channels] })), affine, plain(tf.layers.reshape({ targetShape: [channels] }))];
}

function maxPool(module: MaxPool2d): LayerWithWeights[] {
  // PyTorch pads max pooling with −∞, which no standard layer does; the zoo never pads it.
  if (module.padding.some((p) => p > 0)) throw new Error('exportTfjs: max pooling with padding has no tfjs layer equivalent');
  return [plain(tf.layers.maxPooling2d({ poolSize: module.kernelSize, strides: module.stride, padding: 'valid' }))];
}

function avgPool(module: AvgPool2d): LayerWithWeights[] {
  const [ph, pw] = module.padding;
  // PyTorch's average counts padded zeros (count_include_pad): real zero padding, then 'valid'.
  const pad = ph > 0 || pw > 0 ? [plain(tf.layers.zeroPadding2d({ padding: [[ph, ph], [pw, pw]] }))] : [];
  return [...pad, plain(tf.layers.averagePooling2d({ poolSize: module.kernelSize, strides: module.stride, padding: 'valid' }))];
}
