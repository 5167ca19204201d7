export { build, type Manager, type Buildable, type Options } from './manager.js';
export { Prepared, type MonitorClass } from './prepared.js';
export { Preset, type OptimizerBuilder, type PresetDefaults } from './preset.js';
