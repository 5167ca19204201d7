import type { LayerMetrics } from '../monitors/monitor.js';
import type { StagePart } from './part.js';
import type { FlowData } from './stage.js';
import type { MessagePort } from 'node:worker_threads';

/** Where a stage's classifier comes from: a model config (JSON) or checkpoint bytes. */
export type ModelSource = { config: unknown } | { checkpoint: Uint8Array };

/** What one stage of a checkpoint request contributes: its full checkpoint and what in it is its own. */
export interface CheckpointPart {
  bytes: Uint8Array;
  tensors: string[];
  optimizers: string[];
}

/**
 * Messages that travel down the chain of stages (main → stage 0 → stage 1 → …), each handled
 * by every stage in turn, so that every request sees exactly the batches sent before it.
 * `layers`, `weights` and `ms` (compute time) gather each stage's contribution on the way;
 * `spare` holds arrays of an earlier weight copy for the stages to fill again, in `readWeights`
 * order, each stage taking its own from the front.
 */
export type ChainMessage =
  | { type: 'learn'; id: number; labels: Int32Array; fresh: number; x?: Float32Array; flow?: FlowData; publish: boolean; layers: LayerMetrics[]; weights: Float32Array[]; spare: Float32Array[]; ms: number }
  | { type: 'weights'; id: number; weights: Float32Array[]; spare: Float32Array[] }
  | { type: 'checkpoint'; id: number; parts: CheckpointPart[] }
  | { type: 'restore'; id: number; checkpoint: Uint8Array }
  | { type: 'dispose'; id: number };

/** Messages from the main thread to one stage (besides the chain). */
export type SetupMessage =
  /** The first stage: build the model and plan `stages` parts (it keeps the first). */
  | { type: 'plan'; source: ModelSource; backend: string; stages: number | 'auto' }
  /** A later stage: build the model and learn `part`, taking chain messages from `upstream`. */
  | { type: 'join'; source: ModelSource; backend: string; part: StagePart; upstream: MessagePort }
  /** Any stage but the last: where to send the chain on. */
  | { type: 'connect'; downstream: MessagePort };

/** Messages from a stage to the main thread. */
export type StageReply =
  | { type: 'ready'; parts: StagePart[]; backend: string; step: number; samples: number }
  | { type: 'learned'; id: number; logits: Float32Array; loss: number; layers: LayerMetrics[]; step: number; samples: number; weights: Float32Array[] | null; ms: number }
  | { type: 'weights'; id: number; weights: Float32Array[]; step: number; samples: number }
  | { type: 'checkpoint'; id: number; bytes: Uint8Array; step: number; samples: number }
  | { type: 'restored'; id: number; step: number; samples: number }
  | { type: 'disposed'; id: number }
  | { type: 'failed'; id: number; message: string; code?: string };
