import type { BlockOptions } from '../config/schema.js';
import type { Module } from '../nn/module.js';
import { LayerNorm } from '../nn/layer-norm.js';
import { BatchNorm } from '../nn/batch-norm.js';
import { InstanceNorm2d } from '../nn/instance-norm.js';
import { ReLU, LeakyReLU } from '../nn/activations.js';
import { Dropout, Dropout2d } from '../nn/dropout.js';
import { Random } from '../utils/random.js';

/** One block's sub-layers in order: the weight layer, then norm, nonlinearity and dropout. */
export type BlockLayers = Module[];

/**
 * The norm layer a block uses on an activation of `shape` (one sample's shape: `[D]` or NHWC
 * `[H, W, C]`), or null for `norm: 'none'`. As the reference examples' `norm_1d`/`norm_2d`:
 * `batch` is BatchNorm without running statistics, `instance` is InstanceNorm2d with a learned
 * affine on images and LayerNorm on vectors; `layer` (not in the examples) is LayerNorm over the
 * whole sample.
 */
export function normLayer(options: BlockOptions, shape: number[]): Module | null {
  const channels = shape[shape.length - 1];
  switch (options.norm) {
    case 'none':
      return null;
    case 'layer':
      return new LayerNorm(shape);
    case 'batch':
      return new BatchNorm(channels);
    case 'instance':
      return shape.length === 3 ? new InstanceNorm2d(channels, { affine: true }) : new LayerNorm(shape);
  }
}

/** The block's nonlinearity (`relu`, or `leakyrelu` with the reference's slope 0.01). */
export function nonlinearity(options: BlockOptions): Module {
  return options.nonlinearity === 'relu' ? new ReLU() : new LeakyReLU(0.01);
}

/**
 * Orders a block's sub-layers as the reference examples' `BlockLinear`/`BlockConv`:
 * `layer → norm → act → dropout`, or with `preActivation` `norm → act → dropout → layer` (the
 * norm and dropout then see the block's input shape `inShape`). Dropout is channel dropout
 * (`Dropout2d`) on images. @param random source of the dropout masks.
 */
export function blockLayers(layer: Module, options: BlockOptions, inShape: number[], outShape: number[], random: Random): BlockLayers {
  const dropoutOn = (shape: number[]): Module[] =>
    options.dropout > 0 ? [shape.length === 3 ? new Dropout2d(options.dropout, { random }) : new Dropout(options.dropout, { random })] : [];
  const normOn = (shape: number[]): Module[] => {
    const norm = normLayer(options, shape);
    return norm ? [norm] : [];
  };
  if (options.preActivation) return [...normOn(inShape), nonlinearity(options), ...dropoutOn(inShape), layer];
  return [layer, ...normOn(outShape), nonlinearity(options), ...dropoutOn(outShape)];
}

/**
 * The generator of a model's dropout masks, seeded from the model's seed but on a stream apart
 * from the one that initialises the weights (one generator per model, so that a checkpoint can
 * save and restore it).
 */
export function dropoutRandom(seed: number): Random {
  return new Random((seed + 0x9e3779b9) >>> 0);
}
