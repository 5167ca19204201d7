export * as propagators from './propagators.js';
export { labelNumberToOnehot, distinctBatchLabelsOnehot, distinctBatchLabels, labelVectorToNumber } from './formatters.js';
