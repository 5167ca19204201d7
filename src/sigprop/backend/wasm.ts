import * as tf from '@tensorflow/tfjs';
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import { registerWasmKernels } from './kernels/index.js';

/**
 * Activates the tfjs wasm backend in Node, with the kernels training needs
 * ({@link registerWasmKernels}). The module is imported lazily: importing it registers wasm as
 * the preferred backend, which would make every later tfjs call wait for an asynchronous start.
 * @throws Error when the backend cannot start.
 */
export async function activateWasm(): Promise<void> {
  const wasm = await import('@tensorflow/tfjs-backend-wasm');
  // The .wasm binaries sit next to the package's entry file. Point tfjs at them by file path, so
  // that they are found even when this code is bundled (the default lookup uses __dirname).
  wasm.setWasmPaths(`${dirname(createRequire(import.meta.url).resolve('@tensorflow/tfjs-backend-wasm'))}/`);
  // The threaded build starts its workers from blob: URLs, which Node rejects; tfjs already
  // disables threads under Node, pin it so that no other detection picks that build.
  tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', false);
  registerWasmKernels();
  if (!(await tf.setBackend('wasm'))) throw new Error('the wasm backend failed to start');
}
