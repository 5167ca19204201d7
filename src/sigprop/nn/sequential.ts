import type * as tf from '@tensorflow/tfjs';
import { Module } from './module.js';

/**
 * Applies its modules one after the other (PyTorch `nn.Sequential`); sub-modules are named
 * `"0"`, `"1"`, … so parameter paths match the reference's state dicts.
 * Intermediate tensors are disposed; the input is not.
 */
export class Sequential<T = tf.Tensor> extends Module<T, T> {
  readonly layers: Array<Module<T, T>>;

  constructor(...layers: Array<Module<T, T>>) {
    super();
    this.layers = layers;
    layers.forEach((layer, i) => this.registerModule(String(i), layer));
  }

  forward(input: T): T {
    let current = input;
    for (const layer of this.layers) {
      const next = layer.forward(current);
      if (current !== input) disposeValue(current, next);
      current = next;
    }
    return current;
  }
}

/** Disposes the tensors held by `value` that `keep` does not also hold. */
function disposeValue(value: unknown, keep: unknown): void {
  const kept = new Set(collectTensors(keep));
  for (const t of collectTensors(value)) if (!kept.has(t)) t.dispose();
}

function collectTensors(value: unknown): tf.Tensor[] {
  if (value === null || value === undefined) return [];
  if (Array.isArray(value)) return value.flatMap(collectTensors);
  if (typeof value === 'object' && 'dataId' in (value as object)) return [value as tf.Tensor];
  if (typeof value === 'object') return Object.values(value as object).flatMap(collectTensors);
  return [];
}
