import type { Module } from '../nn/module.js';
import type { LossLike } from '../loss/types.js';
import type { Group } from '../monitors/group.js';
import type { LabelMetrics } from '../monitors/label-metrics.js';
import { build, type Buildable, type Manager, type Options } from './manager.js';

/** A monitor class that wraps a loss: `new cls(name, loss)` (e.g. `LabelMetrics`). */
export type MonitorClass = new (name: string, loss: LossLike) => LabelMetrics;

/**
 * A manager that remembers which classes to build: `setSignal` wraps the signal with
 * `signalCls`, `addPropagator` wraps a layer with `propagatorCls` (or a given class), `setModel`
 * builds `modelCls(network, signal, ...)`. With a monitor configured, each given `loss` is wrapped
 * in a monitor named after the module's class and added to `monitorMain`.
 * Reference: `sigprop.managers.Prepared`.
 */
export class Prepared<M = unknown, P = unknown, S = unknown> implements Manager {
  signal: S | null = null;
  model: M | null = null;
  readonly propagators: P[] = [];

  constructor(
    readonly modelCls: Buildable<M>,
    readonly propagatorCls: Buildable<P>,
    readonly signalCls: Buildable<S>,
    protected monitorCls: MonitorClass | null = null,
    protected monitorMain: Group | null = null,
  ) {}

  /**
   * Wraps the signal module. @throws Error "Signal already set." on a second call.
   */
  setSignal(module: Module<unknown, unknown>, options: Options = {}): S {
    if (this.signal !== null) throw new Error('Signal already set.');
    this.signal = build(this.signalCls, module, this.monitored(module, options));
    return this.signal;
  }

  /** Wraps one layer in a propagator (default class: `propagatorCls`) and returns it. */
  addPropagator(module: Module<unknown, unknown>, cls: Buildable<P> = this.propagatorCls, options: Options = {}): P {
    const propagator = build(cls, module, this.monitored(module, options));
    this.propagators.push(propagator);
    return propagator;
  }

  /**
   * Builds the model around the network and the signal.
   * @throws Error "Model already set." on a second call, "setSignal() before setModel()." without a signal.
   */
  setModel(network: Module<unknown, unknown>, options: Options = {}): M {
    if (this.model !== null) throw new Error('Model already set.');
    if (this.signal === null) throw new Error('setSignal() before setModel().');
    const cls = this.modelCls as unknown as Buildable<M> & (new (n: unknown, s: unknown, ...a: unknown[]) => M);
    this.model = new cls(network, this.signal, ...cls.optionNames.map((n) => options[n] ?? null));
    return this.model;
  }

  /** Wraps `options.loss` in a monitor when one is configured. */
  private monitored(module: Module<unknown, unknown>, options: Options): Options {
    if (this.monitorCls === null || this.monitorMain === null || options.loss === undefined || options.loss === null) return options;
    const monitor = new this.monitorCls(module.constructor.name, options.loss as LossLike);
    this.monitorMain.add(monitor);
    return { ...options, loss: monitor };
  }
}
