import { Module } from '../nn/module.js';
import type { Formatter } from './formatter.js';
import type { Generator } from './generator.js';
import type { SignalInput, SignalOutput } from './types.js';

/**
 * A whole signal: formatters applied in order to the target, then a generator (the reference
 * writes `nn.Sequential(LabelNumberToOnehot(C), generator)`). Sub-modules are named `"0"`, `"1"`, …
 * Input `(h0, t0)` → `(h1, t1, h0, t0')` where `t0'` is the formatted target.
 */
export class Sequential extends Module<SignalInput, SignalOutput> {
  readonly formatters: Formatter[];
  readonly generator: Generator;

  constructor(...modules: [...Formatter[], Generator]) {
    super();
    this.formatters = modules.slice(0, -1) as Formatter[];
    this.generator = modules[modules.length - 1] as Generator;
    modules.forEach((m, i) => this.registerModule(String(i), m));
  }

  forward(input: SignalInput): SignalOutput {
    const formatted = this.formatters.reduce((current, f) => f.forward(current), input);
    return this.generator.forward(formatted);
  }
}
