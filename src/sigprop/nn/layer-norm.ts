import * as tf from '@tensorflow/tfjs';
import { Module } from './module.js';
import { formatShape } from '../utils/shape.js';
import { hasFusedLayerNorm, LAYER_NORM } from '../backend/kernels/layer-norm.js';

/** Options of {@link LayerNorm}. */
export interface LayerNormOptions {
  /** Added to the variance before the square root (default 1e-5, PyTorch's). */
  eps?: number;
  /** Learn a per-element scale `gamma` (init 1) and shift `beta` (init 0) (default true). */
  elementwiseAffine?: boolean;
}

/**
 * Layer normalisation (PyTorch `nn.LayerNorm`): every sample is normalised over its trailing
 * dimensions `normalizedShape` with the biased variance, `y = (x − mean) / √(var + eps) · gamma + beta`;
 * `gamma`, `beta` have shape `normalizedShape`. Input `[..., ...normalizedShape]` → same shape.
 *
 * Activations are NHWC here while the reference's are NCHW: where the reference normalises a
 * 4-d activation over `[C, H, W]`, give `normalizedShape` as the NHWC trailing shape `[H, W, C]`.
 * The statistics are the same (same elements); `gamma`/`beta` are laid out `[H, W, C]`.
 * @throws Error (constructor) on an empty or non-positive shape; (forward) when the input's
 *   trailing dimensions differ from `normalizedShape`.
 */
export class LayerNorm extends Module {
  readonly normalizedShape: number[];
  readonly eps: number;
  readonly gamma: tf.Variable | null;
  readonly beta: tf.Variable | null;

  constructor(normalizedShape: number | readonly number[], options: LayerNormOptions = {}) {
    super();
    this.normalizedShape = typeof normalizedShape === 'number' ? [normalizedShape] : [...normalizedShape];
    if (this.normalizedShape.length === 0 || this.normalizedShape.some((d) => !Number.isInteger(d) || d < 1)) {
      throw new Error(`LayerNorm: normalizedShape ${formatShape(this.normalizedShape)} must be non-empty positive integers`);
    }
    this.eps = options.eps ?? 1e-5;
    const affine = options.elementwiseAffine ?? true;
    this.gamma = affine ? this.registerParameter('gamma', tf.ones(this.normalizedShape)) : null;
    this.beta = affine ? this.registerParameter('beta', tf.zeros(this.normalizedShape)) : null;
  }

  forward(x: tf.Tensor): tf.Tensor {
    this.checkInput(x);
    // One kernel (and one per gradient) where the backend has it: same maths, far fewer ops.
    if (this.gamma && this.beta && x.dtype === 'float32' && hasFusedLayerNorm()) {
      const [y, mean, rstd] = tf.engine().runKernel(LAYER_NORM, { x, gamma: this.gamma, beta: this.beta }, { eps: this.eps }) as tf.Tensor[];
      // The statistics are for the gradient, which keeps its own references.
      tf.dispose([mean, rstd]);
      return y;
    }
    const axes = this.normalizedShape.map((_, i) => x.rank - this.normalizedShape.length + i);
    return tf.tidy(() => {
      const { mean, variance } = tf.moments(x, axes, true);
      let y = tf.mul(tf.sub(x, mean), tf.rsqrt(tf.add(variance, this.eps)));
      if (this.gamma && this.beta) y = tf.add(tf.mul(y, this.gamma), this.beta);
      return y;
    });
  }

  private checkInput(x: tf.Tensor): void {
    const k = this.normalizedShape.length;
    const trailing = x.shape.slice(x.rank - k);
    if (x.rank < k || trailing.some((d, i) => d !== this.normalizedShape[i])) {
      throw new Error(`LayerNorm: input shape ${formatShape(x.shape)}; expected [..., ${this.normalizedShape.join(', ')}]`);
    }
  }
}
