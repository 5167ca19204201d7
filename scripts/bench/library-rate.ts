/**
 * The library's own training throughput for a server benchmark's comparison: the same config
 * trained directly with `fromConfig(config).learn` on the same inputs, in the batch sizes the
 * server's adaptive batching used (its samples spread evenly over its number of updates), in as
 * many threads as the server's learner (`learnerThreads`, from `SIGPROP_LEARNER_THREADS` as the
 * server child reads it; more than one: a `Pipeline` with as many batches in flight as the server
 * keeps).
 */
import * as tf from '@tensorflow/tfjs';
import { Pipeline } from '../../src/sigprop/parallel/pipeline.js';
import { learnerThreads } from '../../src/stream/learner/threads.js';
import { backend, fromConfig, type Classifier } from '../../src/index.js';
import type { BenchData } from './bench-data.js';

/** What to train: `samples` inputs from `offset`, in `steps` updates. */
export interface LibraryRun {
  config: object;
  data: BenchData;
  samples: number;
  steps: number;
  offset: number;
  /** The tfjs backend the server used. */
  backend: backend.BackendName;
  /** Threads to learn in, as the server's `learnerThreads` (default: `SIGPROP_LEARNER_THREADS`, else `'auto'`). */
  stages?: number | 'auto';
}

/** Updates excluded from the timing (first-call compilation). */
const WARM_UP_STEPS = 2;

/**
 * Trains a fresh model as described and returns samples learned per second.
 * @throws Error when the backend cannot start or `steps` is not in `[1, samples]`.
 */
export async function libraryThroughput(run: LibraryRun): Promise<number> {
  if (!(run.steps >= 1 && run.steps <= run.samples)) throw new Error(`library run: ${run.steps} steps for ${run.samples} samples`);
  await backend.init({ backend: run.backend });
  const env = process.env.SIGPROP_LEARNER_THREADS;
  const stages = learnerThreads(run.stages ?? (env && env !== 'auto' ? Number(env) : 'auto'));
  if (stages !== 1) return pipelinedThroughput(run, stages);
  const classifier = fromConfig(run.config);
  try {
    for (let k = 0; k < WARM_UP_STEPS; k++) learnBatch(classifier, run.data, run.offset, 1);
    const start = performance.now();
    let at = 0;
    for (let k = 0; k < run.steps; k++) {
      const size = Math.floor(((k + 1) * run.samples) / run.steps) - Math.floor((k * run.samples) / run.steps);
      learnBatch(classifier, run.data, run.offset + at, size);
      at += size;
    }
    return run.samples / ((performance.now() - start) / 1000);
  } finally {
    classifier.dispose();
  }
}

/** {@link libraryThroughput} over a `Pipeline` of `stages` threads, one batch more in flight than it has stages (as the server's learning loop). */
async function pipelinedThroughput(run: LibraryRun, stages: number | 'auto'): Promise<number> {
  const pipeline = await Pipeline.start({ config: run.config }, { stages, backend: run.backend });
  const capacity = pipeline.parts.length + 1;
  try {
    for (let k = 0; k < WARM_UP_STEPS; k++) await pipeline.learn(...rows(run.data, run.offset, 1));
    const start = performance.now();
    const inFlight: Array<Promise<unknown>> = [];
    let at = 0;
    for (let k = 0; k < run.steps; k++) {
      const size = Math.floor(((k + 1) * run.samples) / run.steps) - Math.floor((k * run.samples) / run.steps);
      inFlight.push(pipeline.learn(...rows(run.data, run.offset + at, size)));
      if (inFlight.length >= capacity) await inFlight.shift();
      at += size;
    }
    await Promise.all(inFlight);
    return run.samples / ((performance.now() - start) / 1000);
  } finally {
    await pipeline.dispose();
  }
}

/** Inputs `from .. from + size − 1` as row-major `[size, features]` and their labels. */
function rows(data: BenchData, from: number, size: number): [Float32Array, Int32Array] {
  const features = data.x(0).length;
  const x = new Float32Array(size * features);
  const y = new Int32Array(size);
  for (let r = 0; r < size; r++) {
    x.set(data.x(from + r), r * features);
    y[r] = data.y(from + r);
  }
  return [x, y];
}

/** One update on inputs `from .. from + size − 1`, reading the logits as the learner thread does. */
function learnBatch(classifier: Classifier, data: BenchData, from: number, size: number): void {
  const [x, y] = rows(data, from, size);
  const xs = tf.tensor2d(x, [size, x.length / size]);
  const ys = tf.tensor1d(y, 'int32');
  const { logits, loss } = classifier.learn(xs, ys);
  logits.dataSync();
  tf.dispose([xs, ys, logits, loss]);
}
