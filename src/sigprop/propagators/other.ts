import type { Module } from '../nn/module.js';
import { detach, detachOrNull } from '../utils/detach.js';
import { Propagator } from './propagator.js';
import type { Flow } from './types.js';

/**
 * Applies `module` to `h` only; `t` passes unchanged; no detach. Used for the output layer, which
 * the training loop trains with an ordinary loss on the model output (its input was detached
 * upstream, so that "global" loss reaches only this layer). Its parameters are the ones a
 * model-level optimizer sees. Reference: `sigprop.propagators.Identity`.
 */
export class Identity extends Propagator {
  static readonly optionNames: readonly string[] = [];

  constructor(readonly module: Module) {
    super();
    this.registerModule('module', module);
  }

  forward({ h, t, context }: Flow): Flow {
    return { h: this.module.forward(h), t, context };
  }
}

/**
 * Applies `module` to `h` and to `t` (when present) and detaches both; never learns
 * (nonlinearities, pooling, dropout). Reference: `sigprop.propagators.Fixed`.
 */
export class Fixed extends Propagator {
  static readonly optionNames: readonly string[] = [];

  constructor(readonly module: Module) {
    super();
    this.registerModule('module', module);
  }

  override parameters(): never[] {
    return [];
  }

  forward({ h, t, context }: Flow): Flow {
    return { h: detach(this.module.forward(h)), t: detachOrNull(t === null ? null : this.module.forward(t)), context };
  }
}

/**
 * Applies `module` to `h` and `t` with **no** detach: gradients flow through, so the block
 * becomes part of whatever learns downstream of it. Reference: `sigprop.propagators.Forward`.
 */
export class Forward extends Propagator {
  static readonly optionNames: readonly string[] = [];

  constructor(readonly module: Module) {
    super();
    this.registerModule('module', module);
  }

  forward({ h, t, context }: Flow): Flow {
    return { h: this.module.forward(h), t: t === null ? null : this.module.forward(t), context };
  }
}
