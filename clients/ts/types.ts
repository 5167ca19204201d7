/**
 * What the client hands back: the server's replies of wire protocol v1 as plain objects. The
 * server's own types are reused (type-only imports: nothing of the server is bundled).
 */
export type {
  CheckpointInfo,
  EvaluationReport,
  EvaluationStatus,
  LayerWindow,
  MetricsEvent,
  ModelStatus,
} from '../../src/stream/types.js';

/** The acknowledgement of a learned item or a delayed label: it is durably recorded. */
export interface LearnAck {
  /** The item's client id. */
  id: string;
  /** Its position in the model's recording. */
  seq: number;
  /** True when the server had accepted this id before (a resend): it was not learned twice. */
  duplicate: boolean;
}

/** The answer to a prediction query. */
export interface PredictionResult {
  /** The item's client id. */
  id: string;
  /** Id to send the delayed label with ({@link SigpropClient.label}). */
  predictionId: string;
  /** Predicted class. */
  label: number;
  /** Softmax probabilities, one per class. */
  probs: number[];
  /** The model updates the weights used reflect. */
  step: number;
}

/** State of the client's connection. */
export type ConnectionStatus = 'connecting' | 'open' | 'reconnecting' | 'closed';
