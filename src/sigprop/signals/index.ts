export type { SignalInput, SignalOutput } from './types.js';
export { Formatter } from './formatter.js';
export { LabelNumberToOnehot, DistinctBatchLabelsOnehot, DistinctBatchLabels, LabelVectorToNumber } from './label-formatters.js';
export { Generator } from './generator.js';
export { ProjectionContext } from './projection-context.js';
export { ProjectionContextInput } from './projection-context-input.js';
export { FixedDrawContext } from './fixed-draw-context.js';
export { Sequential } from './sequential.js';
