import type { Module } from '../nn/module.js';
import type { Optimizer } from '../optim/optimizer.js';
import type { Group } from '../monitors/group.js';
import type { Buildable, Options } from './manager.js';
import { Prepared, type MonitorClass } from './prepared.js';

/** Builds one module's optimizer, or null for a module without parameters. */
export type OptimizerBuilder = (module: Module<unknown, unknown>) => Optimizer | null;

/** Default options merged into every `setSignal`, `addPropagator` and `setModel` call. */
export interface PresetDefaults {
  model?: Options;
  propagator?: Options;
  signal?: Options;
}

/**
 * {@link Prepared} that also builds an optimizer per wrapped module with `optimizerBuilder`
 * (unless the call passes `optimizer`) and merges defaults set with `configSignal`,
 * `configPropagator` and `configModel`. Reference: `sigprop.managers.Preset`.
 */
export class Preset<M = unknown, P = unknown, S = unknown> extends Prepared<M, P, S> {
  private readonly defaults: Required<PresetDefaults>;

  constructor(
    modelCls: Buildable<M>,
    propagatorCls: Buildable<P>,
    signalCls: Buildable<S>,
    readonly optimizerBuilder: OptimizerBuilder,
    monitorCls: MonitorClass | null = null,
    monitorMain: Group | null = null,
    defaults: PresetDefaults = {},
  ) {
    super(modelCls, propagatorCls, signalCls, monitorCls, monitorMain);
    this.defaults = { model: { ...defaults.model }, propagator: { ...defaults.propagator }, signal: { ...defaults.signal } };
  }

  /** Sets the monitor class and group. @throws Error "Monitor already set." when one is set. */
  setMonitor(monitorCls: MonitorClass, monitorMain: Group): void {
    if (this.monitorCls !== null) throw new Error('Monitor already set.');
    this.monitorCls = monitorCls;
    this.monitorMain = monitorMain;
  }

  /** Default options for the signal. @throws Error once the signal is set. */
  configSignal(options: Options): void {
    if (this.signal !== null) throw new Error('configSignal() before setSignal(); signal already set.');
    Object.assign(this.defaults.signal, options);
  }

  /** Default options for propagators. @throws Error once a propagator was added. */
  configPropagator(options: Options): void {
    if (this.propagators.length > 0) {
      throw new Error('configPropagator() before first call to addPropagator(); at least one propagator already added.');
    }
    Object.assign(this.defaults.propagator, options);
  }

  /** Default options for the model. @throws Error once the model is set. */
  configModel(options: Options): void {
    if (this.model !== null) throw new Error('configModel() before setModel(); model already set.');
    Object.assign(this.defaults.model, options);
  }

  override setSignal(module: Module<unknown, unknown>, options: Options = {}): S {
    return super.setSignal(module, { ...this.defaults.signal, ...this.withOptimizer(module, options) });
  }

  override addPropagator(module: Module<unknown, unknown>, cls?: Buildable<P>, options: Options = {}): P {
    return super.addPropagator(module, cls, { ...this.defaults.propagator, ...this.withOptimizer(module, options) });
  }

  override setModel(network: Module<unknown, unknown>, options: Options = {}): M {
    return super.setModel(network, { ...this.defaults.model, ...options });
  }

  private withOptimizer(module: Module<unknown, unknown>, options: Options): Options {
    return 'optimizer' in options ? options : { ...options, optimizer: this.optimizerBuilder(module) };
  }
}
