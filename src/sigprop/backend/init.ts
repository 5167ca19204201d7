import * as tf from '@tensorflow/tfjs';
import { activateWasm } from './wasm.js';
import { registerCpuKernels } from './kernels/index.js';

/** The backend choices of {@link init}, in the order `auto` tries the concrete ones. */
export const BACKEND_NAMES = ['auto', 'tensorflow', 'wasm', 'cpu'] as const;

/** A backend choice: `auto` (best available), `tensorflow` (tfjs-node), `wasm` or `cpu`. */
export type BackendName = (typeof BACKEND_NAMES)[number];

/** Options of {@link init}. */
export interface InitOptions {
  /** Which backend to use (default: env `SIGPROP_BACKEND`, else `auto`). */
  backend?: BackendName;
}

/** What {@link init} activated. */
export interface BackendInfo {
  /** The active tfjs backend name (`tensorflow`, `wasm`, `cpu`). */
  name: string;
}

/** Native TensorFlow bindings, best first; optional packages that may be absent. */
const NATIVE_PACKAGES = ['@tensorflow/tfjs-node-gpu', '@tensorflow/tfjs-node'];

/**
 * Activates a tfjs backend and returns its name. `auto` tries `@tensorflow/tfjs-node-gpu`,
 * `@tensorflow/tfjs-node`, then wasm, then cpu; `tensorflow` requires one of the two native
 * packages. Choosing wasm also registers the kernels training needs there (see
 * `registerWasmKernels`); wasm and cpu get the OpenBLAS matrix product when the optional native
 * kernels load (see `kernelInfo`). Safe to call again, e.g. to switch backends (variables move with it).
 * @throws Error when the name (option or `SIGPROP_BACKEND`) is unknown (listing the valid names),
 *   or when the requested backend cannot start.
 */
export async function init(options: InitOptions = {}): Promise<BackendInfo> {
  const requested = parseBackendName(options.backend ?? process.env.SIGPROP_BACKEND ?? 'auto');
  const candidates: Array<Exclude<BackendName, 'auto'>> = requested === 'auto' ? ['tensorflow', 'wasm', 'cpu'] : [requested];
  const failures: string[] = [];
  for (const candidate of candidates) {
    try {
      await ACTIVATE[candidate]();
      return { name: tf.getBackend() };
    } catch (error) {
      failures.push(`${candidate}: ${(error as Error).message}`);
    }
  }
  throw new Error(`backend '${requested}' is unavailable (${failures.join('; ')})`);
}

/** The active tfjs backend's name. */
export function activeBackend(): string {
  return tf.getBackend();
}

/**
 * `name` as a {@link BackendName}.
 * @throws Error listing the valid names when it is not one.
 */
function parseBackendName(name: string): BackendName {
  if ((BACKEND_NAMES as readonly string[]).includes(name)) return name as BackendName;
  throw new Error(`unknown backend '${name}'; expected one of ${BACKEND_NAMES.join(', ')}`);
}

const ACTIVATE: Record<Exclude<BackendName, 'auto'>, () => Promise<void>> = {
  tensorflow: activateNative,
  wasm: activateWasm,
  cpu: async () => {
    registerCpuKernels();
    if (!(await tf.setBackend('cpu'))) throw new Error('the cpu backend failed to start');
  },
};

/**
 * Loads the first native TensorFlow binding that imports and registers the `tensorflow`
 * backend with this tfjs. The import specifier is a variable so that TypeScript and bundlers
 * do not require the optional packages.
 * @throws Error saying why each package failed.
 */
async function activateNative(): Promise<void> {
  const failures: string[] = [];
  for (const pkg of NATIVE_PACKAGES) {
    try {
      await import(pkg);
      if (await tf.setBackend('tensorflow')) return;
      failures.push(`${pkg} loaded but its backend did not start`);
    } catch (error) {
      failures.push(`${pkg}: ${(error as Error).message}`);
    }
  }
  throw new Error(`needs @tensorflow/tfjs-node-gpu or @tensorflow/tfjs-node (${failures.join('; ')})`);
}
