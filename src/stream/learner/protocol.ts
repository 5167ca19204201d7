import type { LayerMetrics } from '../../sigprop/monitors/monitor.js';

/** Messages the main thread sends to a learner worker. Each carries a request id. */
export type LearnerRequest =
  | { type: 'init'; id: number; config: unknown; checkpoint: Uint8Array | null; backend: string; publishEveryMs: number }
  | { type: 'learn'; id: number; x: Float32Array; y: Int32Array; fresh: number }
  | { type: 'checkpoint'; id: number }
  | { type: 'restore'; id: number; checkpoint: Uint8Array }
  | { type: 'dispose'; id: number };

/** A published copy of the learner's weights (see `readWeights`). */
export interface WeightsSnapshot {
  step: number;
  samples: number;
  arrays: Float32Array[];
}

/** The result of one `learn` request. */
export interface LearnReply {
  /** Pre-update logits of the N rows, row-major `[N, classes]`. */
  logits: Float32Array;
  /** Each layer's loss and accuracy on this batch. */
  layers: LayerMetrics[];
  step: number;
  samples: number;
  ms: number;
}

/** Messages a learner worker sends back. */
export type LearnerReply =
  | { type: 'ready'; id: number; backend: string; step: number; samples: number }
  | { type: 'learned'; id: number; result: LearnReply }
  | { type: 'checkpoint'; id: number; bytes: Uint8Array; step: number; samples: number }
  | { type: 'restored'; id: number; step: number; samples: number }
  | { type: 'disposed'; id: number }
  | { type: 'failed'; id: number; message: string; code?: string }
  | { type: 'weights'; snapshot: WeightsSnapshot };
