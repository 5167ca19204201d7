export { Classifier, type LearnResult } from './classifier.js';
