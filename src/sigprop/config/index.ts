export * from './schema.js';
export { parseConfig, ConfigError, type ConfigProblem } from './parse.js';
export { fromConfig, toConfig } from './from-config.js';
