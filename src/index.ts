/** Package entry: the sigprop library (see `src/sigprop`). */
export * from './sigprop/index.js';
