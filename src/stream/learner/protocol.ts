import type { LayerMetrics } from '../../sigprop/monitors/monitor.js';

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
  /** Time the learner threads spent on it, ms. */
  ms: number;
}
