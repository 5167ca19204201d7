import * as tf from '@tensorflow/tfjs';
import { memoryOf, type TensorMemory } from '../tensor-memory.js';
import { noteKernel } from '../kernel-info.js';
import type { NativeKernels } from '../native.js';

/**
 * PyTorch's `nn.LayerNorm` with an affine transform as one native kernel (and one per gradient)
 * on the wasm and cpu backends, instead of ~30 tfjs ops forward and ~40 backward. Only with the
 * native kernels: the same loops in JavaScript were no faster than the tfjs ops (XNNPACK's
 * vectorized reductions make up for the op count), the compiled ones are.
 */

/** The forward kernel: inputs `x` `[..., D]`, `gamma` and `beta` (D elements); attr `eps`. */
export const LAYER_NORM = 'SigpropLayerNorm';
/** The gradient kernel: inputs `dy`, `x`, `gamma`, `mean`, `rstd`; attr `wrt` (`x`, `gamma` or `beta`). */
export const LAYER_NORM_GRAD = 'SigpropLayerNormGrad';

const WRT = { x: 0, gamma: 1, beta: 2 } as const;

/** Normalised rows (every dimension but the normalised ones) and elements per row. */
function rows(x: tf.TensorInfo, gamma: tf.TensorInfo): { n: number; d: number } {
  const d = tf.util.sizeFromShape(gamma.shape);
  return { n: tf.util.sizeFromShape(x.shape) / d, d };
}

/** Forward: outputs `y` (shape of `x`), `mean` and `rstd` `[rows]` (see the addon's `layerNorm`). */
function forward(native: NativeKernels, memory: TensorMemory, { x, gamma, beta }: Record<string, tf.TensorInfo>, eps: number): tf.TensorInfo[] {
  const { n, d } = rows(x, gamma);
  // Allocate before taking views: on wasm an allocation may grow the heap and detach them.
  const outs = [memory.allocate(x.shape).out, memory.allocate([n]).out, memory.allocate([n]).out];
  const [y, mean, rstd] = outs.map((o) => memory.read(o));
  native.layerNorm(memory.read(x), memory.read(gamma), memory.read(beta), y, mean, rstd, n, d, eps);
  return outs;
}

/** The gradient with respect to `wrt` from `dy` and the saved `x`, `gamma`, `mean`, `rstd`. */
function gradient(native: NativeKernels, memory: TensorMemory, inputs: Record<string, tf.TensorInfo>, wrt: keyof typeof WRT): tf.TensorInfo {
  const { n, d } = rows(inputs.x, inputs.gamma);
  const out = memory.allocate(wrt === 'x' ? inputs.x.shape : inputs.gamma.shape).out;
  const [dy, x, gamma, mean, rstd] = ['dy', 'x', 'gamma', 'mean', 'rstd'].map((k) => memory.read(inputs[k]));
  native.layerNormGrad(dy, x, gamma, mean, rstd, memory.read(out), n, d, WRT[wrt]);
  return out;
}

/** Backends {@link registerLayerNormKernels} registered the kernels for, to keep it idempotent. */
const installed = new Set<string>();

/**
 * Registers {@link LAYER_NORM} and {@link LAYER_NORM_GRAD} for `backendName` over the native
 * kernels, and once the gradient of {@link LAYER_NORM}. Idempotent.
 */
export function registerLayerNormKernels(native: NativeKernels, backendName: 'wasm' | 'cpu'): void {
  noteKernel(backendName, LAYER_NORM, 'native, one pass per row; gradients likewise');
  if (installed.has(backendName)) return;
  installed.add(backendName);
  const memory = (backend: unknown): TensorMemory => memoryOf(backend as tf.KernelBackend, backendName) as TensorMemory;
  tf.registerKernel({
    kernelName: LAYER_NORM,
    backendName,
    kernelFunc: ({ inputs, backend, attrs }) => forward(native, memory(backend), inputs as Record<string, tf.TensorInfo>, (attrs as { eps: number }).eps),
  });
  tf.registerKernel({
    kernelName: LAYER_NORM_GRAD,
    backendName,
    kernelFunc: ({ inputs, backend, attrs }) =>
      gradient(native, memory(backend), inputs as Record<string, tf.TensorInfo>, (attrs as { wrt: keyof typeof WRT }).wrt),
  });
  if (!tf.getGradient(LAYER_NORM)) {
    tf.registerGradient({
      kernelName: LAYER_NORM,
      inputsToSave: ['x', 'gamma'],
      outputsToSave: [false, true, true],
      gradFunc: (dys, saved) => {
        const [x, gamma, mean, rstd] = saved;
        const dy = (dys as tf.Tensor[])[0];
        const wrt = (name: keyof typeof WRT) => (): tf.Tensor => tf.engine().runKernel(LAYER_NORM_GRAD, { dy, x, gamma, mean, rstd }, { wrt: name }) as tf.Tensor;
        return { x: wrt('x'), gamma: wrt('gamma'), beta: wrt('beta') };
      },
    });
  }
}

/** Whether {@link LAYER_NORM} runs on the active backend. */
export function hasFusedLayerNorm(): boolean {
  return tf.getKernel(LAYER_NORM, tf.getBackend()) !== undefined;
}
