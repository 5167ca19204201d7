export { init, activeBackend, BACKEND_NAMES, type BackendName, type BackendInfo, type InitOptions } from './init.js';
export { registerWasmKernels, registerCpuKernels } from './kernels/index.js';
export { kernelInfo, type KernelInfo } from './kernel-info.js';
export { loadNative, nativeStatus, type NativeKernels, type NativeStatus } from './native.js';
