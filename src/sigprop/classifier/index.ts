export { Classifier, type LearnResult } from './classifier.js';
export { readWeights, writeWeights } from './weights.js';
