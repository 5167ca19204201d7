export { Engine, type EngineOptions } from './engine.js';
export { LiveModel, type LiveModelOptions } from './live-model.js';
export { StreamError, type StreamErrorCode } from './errors.js';
export { decodeInput, decodeLabel, decodeClientId } from './validate.js';
export { DEFAULT_MODEL_CONFIG } from './default-model.js';
export type * from './types.js';
