export { Pipeline, PipelineError, type PipelineOptions, type PipelineLearned } from './pipeline.js';
export { planStages, pipelineObstacle, wholePart, type StagePart } from './part.js';
export { Stage, type FlowData, type StageBatch, type StageOutput } from './stage.js';
export type { ModelSource } from './protocol.js';
export { transferList } from './transfer.js';
