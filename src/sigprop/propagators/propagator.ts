import { Module } from '../nn/module.js';
import type { Flow } from './types.js';

/**
 * Base of every propagator: a module over `(h, t, context)` wrapping one layer or block.
 * Reference: `sigprop.propagators.Propagator`. Subclasses implement `forward`.
 */
export abstract class Propagator extends Module<Flow, Flow> {}
