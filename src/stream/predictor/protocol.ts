import type { WeightsSnapshot } from '../learner/protocol.js';

/** Messages from the main thread to a prediction thread, handled in arrival order. */
export type PredictorRequest =
  | { type: 'init'; config: unknown; backend: string; step: number }
  | ({ type: 'weights' } & WeightsSnapshot)
  | { type: 'predict'; id: number; x: Float32Array; n: number };

/**
 * Messages from a prediction thread: `failed` answers one prediction, `broken` says the thread
 * cannot serve (init failed), `recycled` hands back a snapshot's arrays after loading it.
 */
export type PredictorReply =
  | { type: 'ready'; backend: string }
  | { type: 'recycled'; arrays: Float32Array[] }
  | { type: 'predicted'; id: number; probs: Float32Array; step: number }
  | { type: 'failed'; id: number; message: string }
  | { type: 'broken'; message: string };
