export { Loss, asLossFn, type LossFn, type LossLike } from './types.js';
export { similarityFormat, similarityMatrixX, similarityMatrixXY, softTargetCrossEntropy, crossEntropy } from './similarity.js';
export { v1InputLabelDirect } from './v1-input-label-direct.js';
export { v9InputTargetMaxAll } from './v9-input-target-max-all.js';
export { v14InputTargetMaxRand } from './v14-input-target-max-rand.js';
export { v15InputTargetTopk } from './v15-input-target-topk.js';
