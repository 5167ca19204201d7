/** One layer's metrics as numbers (running means since the last reset, and the last batch). */
export interface LayerMetrics {
  name: string;
  /** Mean loss per sample since the last reset. */
  loss: number;
  /** Fraction of samples predicted correctly since the last reset, in [0, 1]. */
  accuracy: number;
  lossLast: number;
  accuracyLast: number;
  /** Samples seen since the last reset. */
  count: number;
}

/** Something that records metrics. Reference: `sigprop.monitors.Monitor`. */
export interface Monitor {
  /** Forgets what was recorded. */
  reset(): void;
  /** The recorded metrics, one entry per layer. */
  metrics(): LayerMetrics[];
}
