/**
 * The sigprop library: signal propagation (forward learning) on TensorFlow.js, a port of the
 * reference PyTorch `sigprop` package (Kohan et al., IEEE TNNLS 2023, arXiv 2204.01723).
 */
export * as signals from './signals/index.js';
export * as propagators from './propagators/index.js';
export * as models from './models/index.js';
export * as managers from './managers/index.js';
export * as loss from './loss/index.js';
export * as monitors from './monitors/index.js';
export * as functional from './functional/index.js';
export * as utils from './utils/index.js';
export * as nn from './nn/index.js';
export * as optim from './optim/index.js';
export * as backend from './backend/index.js';
export * as zoo from './zoo/index.js';
export * as config from './config/index.js';
export * as parallel from './parallel/index.js';
export { Classifier, type LearnResult } from './classifier/index.js';
export { fromConfig, toConfig, parseConfig, ConfigError, ModelConfigSchema, type ModelConfig } from './config/index.js';
export { serialize, deserialize, exportTfjs, toTfjsLayersModel, CheckpointError, FORMAT_VERSION } from './serialize/index.js';
