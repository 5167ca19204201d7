export type { SignalFlow } from './types.js';
export { Learn } from './learn.js';
export { Loss } from './loss.js';
export { Fixed } from './fixed.js';
