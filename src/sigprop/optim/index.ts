export { Optimizer, optimizerBuilder, type OptimizerConfig, type OptimizerState, type SlotValue } from './optimizer.js';
