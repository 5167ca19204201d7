import * as tf from '@tensorflow/tfjs';
import { init } from '../../src/sigprop/backend/index.js';

/** The backends every library test runs on. */
export const BACKENDS = ['cpu', 'wasm'] as const;

/** Makes `name` the active tfjs backend (through the library's own backend selection). */
export async function useBackend(name: (typeof BACKENDS)[number]): Promise<void> {
  await init({ backend: name });
  if (tf.getBackend() !== name) throw new Error(`backend ${name} not active (got ${tf.getBackend()})`);
}
