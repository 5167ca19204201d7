import type { Module } from '../nn/module.js';

/** Named options a manager passes to a propagator, signal or model constructor. */
export type Options = Record<string, unknown>;

/**
 * A class a manager can build: constructed as `new cls(module, ...args)` where `args` are the
 * options named by its static `optionNames`, in order (e.g. `Loss.optionNames = ['optimizer',
 * 'loss']`). Options a class does not name are dropped, as the reference does.
 */
export interface Buildable<T> {
  new (module: never, ...args: never[]): T;
  readonly optionNames: readonly string[];
}

/** Builds `cls` around `module`, passing the options it names (missing ones as null). */
export function build<T>(cls: Buildable<T>, module: unknown, options: Options): T {
  const args = cls.optionNames.map((name) => options[name] ?? null);
  return new (cls as unknown as new (m: unknown, ...a: unknown[]) => T)(module, ...args);
}

/**
 * Helper that wraps the layers of an existing network. Reference: `sigprop.managers.Manager`.
 */
export interface Manager {
  setSignal(module: Module<unknown, unknown>, options?: Options): unknown;
  addPropagator(module: Module<unknown, unknown>, cls?: Buildable<unknown>, options?: Options): unknown;
  setModel(network: Module<unknown, unknown>, options?: Options): unknown;
}
