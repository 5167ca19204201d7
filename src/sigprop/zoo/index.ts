export { mlp } from './mlp.js';
export { vgg, VGG_PLANS, SIGNAL_CHANNELS, type VggEntry } from './vgg.js';
export { buildSignal, projection, fixedProjection, convInputProjection, type BuiltSignal, type InputProjection } from './signal.js';
export { blockLayers, normLayer, nonlinearity, dropoutRandom } from './blocks.js';
export { denseHead, type HeadOptions } from './head.js';
export { wrapBlock } from './wrap.js';
export { assemble } from './assemble.js';
export { lossByName, needsBatch } from './loss-by-name.js';
export type { BuiltModel, LocalLearner, NetworkPart } from './learner.js';
