export type { Flow } from './types.js';
export { Propagator } from './propagator.js';
export { Learn } from './learn.js';
export { Loss } from './loss.js';
export { Identity, Fixed, Forward } from './other.js';
export { localStep } from './local-step.js';
export * as signals from './signals/index.js';
