export { serialize, deserialize } from './checkpoint.js';
export { exportTfjs, toTfjsLayersModel, TFJS_FILES } from './export-tfjs.js';
export { CheckpointError } from './errors.js';
export { FORMAT_VERSION } from './container.js';
