import * as tf from '@tensorflow/tfjs';
import { Module } from './module.js';
import { globalRandom, type Random } from '../utils/random.js';
import { formatShape } from '../utils/shape.js';

/** Options of {@link Dropout} and {@link Dropout2d}. */
export interface DropoutOptions {
  /**
   * Source of the masks (default: the global generator, so `manualSeed` makes runs
   * reproducible on every backend).
   */
  random?: Random;
}

/**
 * Shared dropout logic: in training, multiply by a mask of `0` (probability `p`) or `1/(1−p)`
 * drawn from a seedable {@link Random}, broadcast over the axes the subclass leaves out of the
 * mask; in eval mode, the identity.
 */
abstract class DropoutBase extends Module {
  protected readonly random: Random;

  constructor(
    name: string,
    readonly p: number,
    options: DropoutOptions,
  ) {
    super();
    if (!(p >= 0 && p <= 1)) throw new Error(`${name}: probability p is ${p}; expected a number in [0, 1]`);
    this.random = options.random ?? globalRandom;
  }

  /** The mask's shape for input `x` (same rank, 1 on the broadcast axes). */
  protected abstract maskShape(x: tf.Tensor): number[];

  forward(x: tf.Tensor): tf.Tensor {
    const shape = this.maskShape(x);
    if (!this.training || this.p === 0) return x.clone();
    return tf.tidy(() => tf.mul(x, this.mask(shape)));
  }

  private mask(shape: number[]): tf.Tensor {
    const count = shape.reduce((a, b) => a * b, 1);
    // p = 1 keeps nothing: 0 everywhere (PyTorch returns zeros), never 0·∞.
    const keep = this.p === 1 ? 0 : 1 / (1 - this.p);
    const values = new Float32Array(count);
    for (let i = 0; i < count; i++) values[i] = this.random.next() < this.p ? 0 : keep;
    return tf.tensor(values, shape, 'float32');
  }
}

/**
 * Element-wise dropout (PyTorch `nn.Dropout`): in training mode each element is zeroed with
 * probability `p` and the survivors are scaled by `1/(1−p)`; in eval mode the identity.
 * Any shape → same shape.
 * @throws Error (constructor) when `p` is not in [0, 1].
 */
export class Dropout extends DropoutBase {
  constructor(p = 0.5, options: DropoutOptions = {}) {
    super('Dropout', p, options);
  }

  protected maskShape(x: tf.Tensor): number[] {
    return x.shape;
  }
}

/**
 * Channel dropout (PyTorch `nn.Dropout2d`): in training mode whole channels of each sample are
 * zeroed with probability `p` (mask shape `[N, 1, 1, C]`, the NHWC form of PyTorch's
 * `[N, C, 1, 1]`) and the survivors scaled by `1/(1−p)`; in eval mode the identity.
 * Input NHWC `[N, H, W, C]` → same shape.
 * @throws Error (constructor) when `p` is not in [0, 1]; (forward) when the input is not 4-d.
 */
export class Dropout2d extends DropoutBase {
  constructor(p = 0.5, options: DropoutOptions = {}) {
    super('Dropout2d', p, options);
  }

  protected maskShape(x: tf.Tensor): number[] {
    if (x.rank !== 4) throw new Error(`Dropout2d: input shape ${formatShape(x.shape)}; expected NHWC [N, H, W, C]`);
    const [n, , , c] = (x as tf.Tensor4D).shape;
    return [n, 1, 1, c];
  }
}
