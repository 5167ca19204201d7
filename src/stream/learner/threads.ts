import { availableParallelism } from 'node:os';

/**
 * The number of threads a served model learns in, for the `learnerThreads` setting: a number is
 * taken as is; `'auto'` leaves one core to the main thread (it receives, records and acknowledges
 * items and answers predictions) and pipelines the learning over up to two of the others — so 1
 * on a 2-core machine, 2 from 3 cores. Measured on 2 cores (BENCHMARKS.md): a 2-stage learner
 * beside the main thread and the producers learned no more items per second and tripled the
 * prediction p50 under saturation.
 */
export function learnerThreads(setting: number | 'auto', cores: number = availableParallelism()): number {
  return setting === 'auto' ? Math.max(1, Math.min(2, cores - 1)) : setting;
}
