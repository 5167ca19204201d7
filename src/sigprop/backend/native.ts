import { createRequire } from 'node:module';
import { readFileSync } from 'node:fs';

/**
 * The compiled kernels of the optional package `sigprop-native` (`native/`): OpenBLAS matrix
 * products, one-pass optimizer updates (`optim/update-rules.ts` in float32, as PyTorch) and
 * LayerNorm with its gradients.
 */
export interface NativeKernels {
  /**
   * For each `i < batch`: `C_i[m×n] = op(A_i)·op(B_i)` in row-major float32, `op` transposing
   * when asked (`A_i` is `[k×m]` with `transposeA`, else `[m×k]`; `B_i` `[n×k]` or `[k×n]`).
   * An operand with `broadcast*` set holds one matrix used for every `i`. Overwrites `c`.
   * Works in place on the arrays' memory (views of the wasm heap are fine).
   * @throws RangeError when an array is shorter than its matrices.
   */
  batchMatMul(
    a: Float32Array, b: Float32Array, c: Float32Array,
    batch: number, m: number, n: number, k: number,
    transposeA: boolean, transposeB: boolean, broadcastA: boolean, broadcastB: boolean,
  ): void;
  /** `optim/update-rules.ts`'s `adamUpdate` in float32, with its bias corrections precomputed. */
  adamUpdate(
    p: Float32Array, g: Float32Array, m: Float32Array, v: Float32Array,
    pOut: Float32Array, mOut: Float32Array, vOut: Float32Array,
    stepSize: number, correction2: number, weightDecay: number, beta1: number, beta2: number, epsilon: number,
  ): void;
  /** `optim/update-rules.ts`'s `momentumUpdate` in float32. */
  momentumUpdate(p: Float32Array, g: Float32Array, b: Float32Array, pOut: Float32Array, bOut: Float32Array, lr: number, weightDecay: number, momentum: number): void;
  /** `optim/update-rules.ts`'s `sgdUpdate` in float32. */
  sgdUpdate(p: Float32Array, g: Float32Array, pOut: Float32Array, lr: number, weightDecay: number): void;
  /**
   * PyTorch's LayerNorm over the last `d` elements of each of the `n` rows of `x`, writing `y`
   * and the per-row `mean` and `rstd = 1/√(var + eps)` (biased variance).
   */
  layerNorm(x: Float32Array, gamma: Float32Array, beta: Float32Array, y: Float32Array, mean: Float32Array, rstd: Float32Array, n: number, d: number, eps: number): void;
  /** {@link NativeKernels.layerNorm}'s gradient with respect to `x` (`wrt` 0), `gamma` (1) or `beta` (2), into `out`. */
  layerNormGrad(dy: Float32Array, x: Float32Array, gamma: Float32Array, mean: Float32Array, rstd: Float32Array, out: Float32Array, n: number, d: number, wrt: number): void;
  /** `y = x > 0 ? x : slope·x` over `n` elements (PyTorch's LeakyReLU). */
  leakyRelu(x: Float32Array, y: Float32Array, n: number, slope: number): void;
  /** {@link NativeKernels.leakyRelu}'s gradient: `dx = x > 0 ? dy : slope·dy`. */
  leakyReluGrad(dy: Float32Array, x: Float32Array, dx: Float32Array, n: number, slope: number): void;
  /** OpenBLAS's build string, thread count, and the product size from which it uses them. */
  info(): { config: string; threads: number; threadedMinWork: number };
}

/** Whether the native kernels loaded, and with which OpenBLAS (or why not). */
export interface NativeStatus {
  loaded: boolean;
  /** OpenBLAS's build string, e.g. `OpenBLAS 0.3.21 DYNAMIC_ARCH ... SkylakeX`. */
  config?: string;
  /** OpenBLAS's threads, used for products of at least `threadedMinWork` multiply-adds (smaller ones run on one). */
  threads?: number;
  threadedMinWork?: number;
  /** The `OPENBLAS_CORETYPE` this process chose (see {@link loadNativeBlas}), if any. */
  coreType?: string;
  /** Why the kernels are not in use. */
  reason?: string;
}

let loaded: { kernels: NativeKernels | null; status: NativeStatus } | undefined;

/**
 * The native kernels, loaded once, or null when they are unavailable (the package was not
 * built because OpenBLAS was missing at install time) or disabled with `SIGPROP_NATIVE=0`.
 * Before loading, when `OPENBLAS_CORETYPE` is unset, picks the core type from the CPU's flags
 * ({@link coreTypeFor}): OpenBLAS 0.3.21's own detection does not know recent Intel models (e.g.
 * family 6 model 207 here) and falls back to its slowest kernels ("Prescott", ~4× slower).
 */
export function loadNative(): NativeKernels | null {
  loaded ??= load();
  return loaded.kernels;
}

/** What {@link loadNative} found (loads the kernels if that was not done yet). */
export function nativeStatus(): NativeStatus {
  loadNative();
  return (loaded as { status: NativeStatus }).status;
}

function load(): { kernels: NativeKernels | null; status: NativeStatus } {
  if (process.env.SIGPROP_NATIVE === '0') return { kernels: null, status: { loaded: false, reason: 'disabled by SIGPROP_NATIVE=0' } };
  const coreType = process.env.OPENBLAS_CORETYPE ?? coreTypeFor(cpuFlags());
  // OpenBLAS reads the variable once, when the library is loaded, i.e. by the require below.
  if (coreType !== undefined) process.env.OPENBLAS_CORETYPE = coreType;
  try {
    const kernels = createRequire(import.meta.url)('sigprop-native') as NativeKernels;
    return { kernels, status: { loaded: true, ...kernels.info(), coreType } };
  } catch (error) {
    return { kernels: null, status: { loaded: false, reason: `sigprop-native is not built (${(error as Error).message.split('\n')[0]})` } };
  }
}

/** The CPU feature flags of Linux's `/proc/cpuinfo` (empty elsewhere). */
function cpuFlags(): Set<string> {
  try {
    const line = readFileSync('/proc/cpuinfo', 'utf8').split('\n').find((l) => l.startsWith('flags'));
    return new Set(line?.split(':')[1]?.trim().split(/\s+/) ?? []);
  } catch {
    return new Set();
  }
}

/**
 * The OpenBLAS core whose single-precision kernels fit a CPU with these flags: `SkylakeX` with
 * AVX-512 (F, BW, VL, DQ), `Haswell` with AVX2 and FMA, else undefined (let OpenBLAS detect).
 */
export function coreTypeFor(flags: Set<string>): string | undefined {
  if (['avx512f', 'avx512bw', 'avx512vl', 'avx512dq'].every((f) => flags.has(f))) return 'SkylakeX';
  if (flags.has('avx2') && flags.has('fma')) return 'Haswell';
  return undefined;
}
