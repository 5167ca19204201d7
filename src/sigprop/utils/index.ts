export { shapeNumel, formatShape } from './shape.js';
export { detach, detachOrNull } from './detach.js';
export { Random, globalRandom, manualSeed } from './random.js';
