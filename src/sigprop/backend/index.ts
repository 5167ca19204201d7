export { init, activeBackend, BACKEND_NAMES, type BackendName, type BackendInfo, type InitOptions } from './init.js';
export { registerWasmKernels } from './kernels/index.js';
