import { availableParallelism } from 'node:os';

/**
 * The threads a served model learns in, for the `learnerThreads` setting: a number is taken as
 * is; `'auto'` leaves one core to the main thread (it receives, records and acknowledges items
 * and answers predictions): 1 on a 2-core machine, and from 3 cores the pipeline's own `'auto'`
 * (two stages for a model large enough to gain, see `planStages`). Measured on 2 cores (BENCHMARKS.md): a 2-stage learner
 * beside the main thread and the producers learned no more items per second and tripled the
 * prediction p50 under saturation.
 */
export function learnerThreads(setting: number | 'auto', cores: number = availableParallelism()): number | 'auto' {
  return setting === 'auto' && cores < 3 ? 1 : setting;
}
