export type { Monitor, LayerMetrics } from './monitor.js';
export { Group } from './group.js';
export { LabelMetrics } from './label-metrics.js';
