import type { Module } from '../nn/module.js';
import { Generator, freeze, projectTarget } from './generator.js';
import type { SignalInput, SignalOutput } from './types.js';

/**
 * Projects both the context and the input to the first layer's shape:
 * `t1 = contextModule(flatten(t0))` reshaped to `[N, ...outputShape]` (skipped when `t0` is
 * null) and `h1 = inputModule(h0)`. Reference: `sigprop.signals.ProjectionContextInput`.
 * @param outputShape shape of one activation (NHWC for images); `inputModule` must produce it.
 * @param options.fixed freeze both modules.
 */
export class ProjectionContextInput extends Generator {
  constructor(
    readonly contextModule: Module,
    readonly inputModule: Module,
    readonly inputShape: number[],
    readonly outputShape: number[],
    options: { fixed?: boolean } = {},
  ) {
    super();
    this.registerModule('context', contextModule);
    this.registerModule('input', inputModule);
    if (options.fixed) {
      freeze(contextModule);
      freeze(inputModule);
    }
  }

  forward({ h, t }: SignalInput): SignalOutput {
    const t1 = t === null ? null : projectTarget(this.contextModule, t, this.outputShape);
    return { h1: this.inputModule.forward(h), t1, h0: h, t0: t };
  }
}
