import * as tf from '@tensorflow/tfjs';
import { memoryOf, type TensorMemory } from '../tensor-memory.js';
import { noteKernel } from '../kernel-info.js';
import type { NativeKernels } from '../native.js';

/**
 * PyTorch's `nn.LeakyReLU` as one native kernel forward and one backward on the wasm and cpu
 * backends. The stock wasm kernels spend ~0.8 ms on the forward of a [128, 1024] activation and
 * ~1.2 ms on its gradient (Greater, Multiply, Select: three passes, scalar broadcasting), profiled
 * in the reference MLP's training step; one compiled loop each takes a fraction of that.
 */

/** The forward kernel: input `x` (float32, any shape); attr `slope`. */
export const LEAKY_RELU = 'SigpropLeakyRelu';
/** The gradient kernel: inputs `dy` and `x`; attr `slope`. */
export const LEAKY_RELU_GRAD = 'SigpropLeakyReluGrad';

/** Backends {@link registerLeakyReluKernels} registered the kernels for, to keep it idempotent. */
const installed = new Set<string>();

/**
 * Registers {@link LEAKY_RELU} and {@link LEAKY_RELU_GRAD} for `backendName` over the native
 * kernels, and once the gradient of {@link LEAKY_RELU}. Idempotent; does nothing with a native
 * build older than these kernels.
 */
export function registerLeakyReluKernels(native: NativeKernels, backendName: 'wasm' | 'cpu'): void {
  if (typeof native.leakyRelu !== 'function' || installed.has(backendName)) return;
  installed.add(backendName);
  noteKernel(backendName, LEAKY_RELU, 'native, one pass; gradient likewise');
  const memory = (backend: unknown): TensorMemory => memoryOf(backend as tf.KernelBackend, backendName) as TensorMemory;
  tf.registerKernel({
    kernelName: LEAKY_RELU,
    backendName,
    kernelFunc: ({ inputs, backend, attrs }) => {
      const { x } = inputs as Record<'x', tf.TensorInfo>;
      const m = memory(backend);
      const out = m.allocate(x.shape).out;
      native.leakyRelu(m.read(x), m.read(out), tf.util.sizeFromShape(x.shape), (attrs as { slope: number }).slope);
      return out;
    },
  });
  tf.registerKernel({
    kernelName: LEAKY_RELU_GRAD,
    backendName,
    kernelFunc: ({ inputs, backend, attrs }) => {
      const { dy, x } = inputs as Record<'dy' | 'x', tf.TensorInfo>;
      const m = memory(backend);
      const out = m.allocate(x.shape).out;
      native.leakyReluGrad(m.read(dy), m.read(x), m.read(out), tf.util.sizeFromShape(x.shape), (attrs as { slope: number }).slope);
      return out;
    },
  });
  if (!tf.getGradient(LEAKY_RELU)) {
    tf.registerGradient({
      kernelName: LEAKY_RELU,
      inputsToSave: ['x'],
      gradFunc: (dy, [x], attrs) => ({
        x: () => tf.engine().runKernel(LEAKY_RELU_GRAD, { dy: dy as tf.Tensor, x }, attrs as unknown as tf.NamedAttrMap) as tf.Tensor,
      }),
    });
  }
}

/** Whether {@link LEAKY_RELU} runs on the active backend. */
export function hasFusedLeakyRelu(): boolean {
  return tf.getKernel(LEAKY_RELU, tf.getBackend()) !== undefined;
}
