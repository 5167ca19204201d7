import type { BlockOptions } from '../config/schema.js';
import type { Module } from '../nn/module.js';
import { LayerNorm } from '../nn/layer-norm.js';
import { BatchNorm } from '../nn/batch-norm.js';
import { InstanceNorm2d } from '../nn/instance-norm.js';
import { ReLU, LeakyReLU } from '../nn/activations.js';
import { Dropout, Dropout2d } from '../nn/dropout.js';
import type { Random } from '../utils/random.js';

/** One block's sub-layers in order: the weight layer, then norm, nonlinearity and dropout. */
export type BlockLayers = Module[];

/**
 * The norm layer a block uses after a layer producing `shape` (one sample's shape: `[D]` or NHWC
 * `[H, W, C]`), or null for `norm: 'none'`.
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
      return shape.length === 3 ? new InstanceNorm2d(channels) : new LayerNorm(shape);
  }
}

/** The block's nonlinearity (`relu`, or `leakyrelu` with the reference's slope 0.01). */
export function nonlinearity(options: BlockOptions): Module {
  return options.nonlinearity === 'relu' ? new ReLU() : new LeakyReLU(0.01);
}

/**
 * Orders a block's sub-layers: `layer → norm → act → dropout`, or with `preActivation`
 * `norm → act → layer → dropout` (the norm then sees the block's input shape `inShape`).
 */
export function blockLayers(layer: Module, options: BlockOptions, inShape: number[], outShape: number[], random?: Random): BlockLayers {
  const dropout = options.dropout > 0 ? [outShape.length === 3 ? new Dropout2d(options.dropout, { random }) : new Dropout(options.dropout, { random })] : [];
  if (options.preActivation) {
    const norm = normLayer(options, inShape);
    return [...(norm ? [norm] : []), nonlinearity(options), layer, ...dropout];
  }
  const norm = normLayer(options, outShape);
  return [layer, ...(norm ? [norm] : []), nonlinearity(options), ...dropout];
}
