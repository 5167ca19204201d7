import type { ModelConfig } from '../sigprop/config/schema.js';

/** A labelled sample to learn. `clientId` (the client's item id) makes resends idempotent. */
export interface LearnItem {
  clientId?: string;
  /** One input, `prod(inputShape)` finite float32 values (row-major, NHWC for images). */
  x: Float32Array;
  /** Class index in `[0, classes)`. */
  y: number;
}

/** An unlabelled sample to predict. */
export interface PredictItem {
  clientId?: string;
  x: Float32Array;
}

/** A delayed label for an earlier prediction. */
export interface LabelItem {
  clientId?: string;
  predictionId: string;
  y: number;
}

/** Acknowledgement of an accepted item, sent once it is durably in the recording. */
export interface Ack {
  clientId?: string;
  /** Position of the item in the model's recording (1-based). */
  seq: number;
  /** True when the same `clientId` had been accepted before (nothing was learned twice). */
  duplicate: boolean;
}

/** The answer to a predict item. */
export interface Prediction {
  clientId?: string;
  /** Id to send a delayed label for this input with. */
  predictionId: string;
  /** Predicted class. */
  label: number;
  /** Softmax probabilities `[classes]`. */
  probs: number[];
  /** The model update count the weights used reflect. */
  step: number;
}

/** One layer's metrics in a window. */
export interface LayerWindow {
  /** `signal`, `hidden1`, …, or `output` (the prequential output metrics). */
  layer: string;
  loss: number;
  accuracy: number;
  samples: number;
}

/** A metrics window, stored in SQLite and published live. */
export interface MetricsEvent {
  model: string;
  /** Window number, from 1. */
  window: number;
  /** End of the window, ms since epoch. */
  time: number;
  /** Learned samples since the model was created. */
  samples: number;
  step: number;
  layers: LayerWindow[];
  /** Learned items per second in the window. */
  throughput: number;
  /** Prediction latency in the window, ms (null without predictions). */
  predictLatencyMs: { p50: number; p99: number; max: number } | null;
  predictions: number;
}

/** A checkpoint's description (without its bytes). */
export interface CheckpointInfo {
  id: number;
  step: number;
  samples: number;
  lastSeq: number;
  size: number;
  reason: string;
  createdAt: number;
}

/** What `GET /v1/models/:model` shows. */
export interface ModelStatus {
  name: string;
  config: ModelConfig;
  samples: number;
  step: number;
  recordingId: number;
  lastSeq: number;
  queued: number;
  pendingPredictions: number;
  latestCheckpoint: CheckpointInfo | null;
  createdAt: number;
}

/** A request to replay a recording into a separate model. */
export interface EvaluationRequest {
  model: string;
  /** Recording id (default: the model's live recording). */
  recording?: number;
  /** Start from a fresh model built from the config, or from a checkpoint id. */
  from: 'fresh' | number;
  /** As fast as possible, or at the recorded pace. */
  speed: 'max' | 'recorded';
  /** Config of the fresh model (default: the live model's config). */
  config?: unknown;
  /** A point of the prequential curve every N learned items (default 100). */
  every?: number;
}

/** An evaluation's report. */
export interface EvaluationReport {
  items: number;
  finalAccuracy: number;
  curve: Array<{ items: number; accuracy: number }>;
  layers: LayerWindow[];
  throughput: number;
  wallMs: number;
}

/** An evaluation's state. */
export interface EvaluationStatus {
  id: number;
  model: string;
  /** Where the evaluated model started: `fresh` or a checkpoint id. */
  from: 'fresh' | number;
  /** When it was requested, ms since epoch. */
  createdAt: number;
  status: 'running' | 'done' | 'failed';
  progress: number;
  report: EvaluationReport | null;
  error: string | null;
}
