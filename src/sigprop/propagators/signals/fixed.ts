import { Module } from '../../nn/module.js';
import type { SignalInput, SignalOutput } from '../../signals/types.js';
import { detach, detachOrNull } from '../../utils/detach.js';
import type { Flow } from '../types.js';
import type { SignalFlow } from './types.js';

/**
 * A signal that never learns (a fixed projection or drawing): runs the signal module and
 * detaches its outputs. Reference: `sigprop.propagators.signals.Fixed`.
 */
export class Fixed extends Module<Flow, SignalFlow> {
  static readonly optionNames: readonly string[] = [];

  constructor(readonly module: Module<SignalInput, SignalOutput>) {
    super();
    this.registerModule('module', module);
  }

  override parameters(): never[] {
    return [];
  }

  forward({ h, t }: Flow): SignalFlow {
    const { h1, t1 } = this.module.forward({ h: detach(h), t: detachOrNull(t) });
    return { h: detach(h1), t: detachOrNull(t1) };
  }
}
