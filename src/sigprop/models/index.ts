export { Model, type ModelInput, type OutputLoss } from './model.js';
export { Forward } from './forward.js';
export { LoopBack, ForwardLoopBack, type ErrorFn } from './loop-back.js';
