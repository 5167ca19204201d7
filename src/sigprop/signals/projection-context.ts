import type * as tf from '@tensorflow/tfjs';
import type { Module } from '../nn/module.js';
import { Generator, freeze, projectTarget } from './generator.js';
import type { SignalInput, SignalOutput } from './types.js';

/**
 * Learned (or fixed) projection of the context: `t1 = module(flatten(t0))` reshaped to
 * `[N, ...outputShape]`; the input passes through (`h1 = h0`). `t0 = null` gives `t1 = null`.
 * Reference: `sigprop.signals.ProjectionContext`.
 * @param inputShape shape of one context row (kept for reference parity and configs).
 * @param outputShape shape of one target activation, NHWC for images.
 * @param options.fixed freeze the module's parameters (a fixed random projection).
 */
export class ProjectionContext extends Generator {
  constructor(
    readonly module: Module,
    readonly inputShape: number[],
    readonly outputShape: number[],
    options: { fixed?: boolean } = {},
  ) {
    super();
    this.registerModule('module', module);
    if (options.fixed) freeze(module);
  }

  forward({ h, t }: SignalInput): SignalOutput {
    const t1: tf.Tensor | null = t === null ? null : projectTarget(this.module, t, this.outputShape);
    return { h1: h, t1, h0: h, t0: t };
  }
}
