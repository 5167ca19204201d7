/**
 * The embedded default model: 28×28×1 images sent as 784 floats, 10 classes, learning each item
 * as it arrives (per-class targets with the v1 loss work on a batch of one), the reference MLP
 * with 256 hidden units so that a 2-core machine keeps up with a live stream.
 */
export const DEFAULT_MODEL_CONFIG = {
  inputShape: [784],
  classes: 10,
  architecture: { name: 'mlp', numLayers: 2, numHidden: 256 },
  signal: { kind: 'projection-context-input', targets: 'per-class' },
  loss: { name: 'v1' },
  optimizer: { kind: 'adam', lr: 5e-4 },
  batch: { maxSize: 32, maxWaitMs: 5 },
  checkpoint: { everySamples: 5000, everySeconds: 120, keepLast: 5, keepEvery: 10 },
} as const;
