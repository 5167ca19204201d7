import * as tf from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';

/**
 * Direct access to a backend's float32 tensor memory, for kernels written in JavaScript or
 * native code that work in place (no copies through `dataSync`).
 */
export interface TensorMemory {
  /**
   * The float32 values of `t`, as a view of the backend's own memory: writing to it changes the
   * tensor (and every tensor sharing its data). On wasm the view is only valid until the next
   * allocation (the heap may grow): take views after allocating.
   */
  read(t: tf.TensorInfo): Float32Array;
  /** A new float32 tensor of `shape` (values unspecified) and a view to write them into. */
  allocate(shape: number[]): { out: tf.TensorInfo; values: Float32Array };
  /** Whether other tensors share `t`'s data (then writing it in place would change them too). */
  shared(t: tf.TensorInfo): boolean;
  /**
   * Tells the backend that `t`'s values were changed in place, so that it drops whatever it
   * derived from them: the wasm backend caches XNNPACK operators with packed copies of the
   * weights of `matMul`/`conv2d` by tensor id, which would otherwise keep computing with the
   * old values.
   */
  changed(t: tf.TensorInfo): void;
}

/** The parts of tfjs's cpu backend (`MathBackendCPU`) used here (its package is not a direct dependency). */
interface CpuBackend {
  data: { get(dataId: tf.DataId): { values?: unknown } };
  makeTensorInfo(shape: number[], dtype: tf.DataType, values: Float32Array): tf.TensorInfo;
  refCount(dataId: tf.DataId): number;
}

/** {@link TensorMemory} of the wasm backend: views of the wasm heap. */
export function wasmMemory(backend: BackendWasm): TensorMemory {
  return {
    read: (t) => backend.typedArrayFromHeap(t) as Float32Array,
    allocate: (shape) => {
      const out = backend.makeOutput(shape, 'float32');
      return { out, values: backend.typedArrayFromHeap(out) as Float32Array };
    },
    shared: (t) => backend.refCount(t.dataId) > 1,
    changed: (t) => {
      // Re-registering the id runs its disposal callbacks (which delete the cached operators)
      // without freeing the memory, which the JavaScript side owns.
      const { id, memoryOffset } = backend.dataIdMap.get(t.dataId) as { id: number; memoryOffset: number };
      backend.wasm.tfjs.disposeData(id);
      backend.wasm.tfjs.registerTensor(id, tf.util.sizeFromShape(t.shape), memoryOffset);
    },
  };
}

/**
 * {@link TensorMemory} of the cpu backend: its `values` arrays. A float32 tensor whose values are
 * not a `Float32Array` yet (tfjs accepts other arrays) is converted once, in place in the backend.
 */
export function cpuMemory(backend: CpuBackend): TensorMemory {
  return {
    read: (t) => {
      const data = backend.data.get(t.dataId);
      if (!(data.values instanceof Float32Array)) data.values = Float32Array.from(data.values as ArrayLike<number>);
      return data.values as Float32Array;
    },
    allocate: (shape) => {
      const values = new Float32Array(tf.util.sizeFromShape(shape));
      return { out: backend.makeTensorInfo(shape, 'float32', values), values };
    },
    shared: (t) => backend.refCount(t.dataId) > 1,
    // The cpu backend derives nothing from tensor values.
    changed: () => undefined,
  };
}

/** {@link TensorMemory} of `backend` registered as `name`, or null for backends other than wasm and cpu. */
export function memoryOf(backend: tf.KernelBackend, name: string): TensorMemory | null {
  if (name === 'wasm') return wasmMemory(backend as unknown as BackendWasm);
  if (name === 'cpu') return cpuMemory(backend as unknown as CpuBackend);
  return null;
}
