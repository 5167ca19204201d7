export { Optimizer, optimizerBuilder, type OptimizerConfig } from './optimizer.js';
