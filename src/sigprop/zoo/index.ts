export { mlp } from './mlp.js';
export { buildSignal, projection, type BuiltSignal } from './signal.js';
export { blockLayers, normLayer, nonlinearity } from './blocks.js';
export { wrapBlock } from './wrap.js';
export { lossByName, needsBatch } from './loss-by-name.js';
export type { BuiltModel, LocalLearner } from './learner.js';
