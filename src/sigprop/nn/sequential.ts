import type * as tf from '@tensorflow/tfjs';
import { Module } from './module.js';

/**
 * Applies its modules one after the other (PyTorch `nn.Sequential`); sub-modules are named
 * `"0"`, `"1"`, … so parameter paths match the reference's state dicts. Intermediate tensors
 * belong to the caller's `tf.tidy` scope.
 */
export class Sequential<T = tf.Tensor> extends Module<T, T> {
  readonly layers: Array<Module<T, T>>;

  constructor(...layers: Array<Module<T, T>>) {
    super();
    this.layers = layers;
    layers.forEach((layer, i) => this.registerModule(String(i), layer));
  }

  forward(input: T): T {
    return this.layers.reduce((current, layer) => layer.forward(current), input);
  }
}
