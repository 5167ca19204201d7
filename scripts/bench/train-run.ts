/**
 * One training run of the reference configuration (the MLP of `shared/bench/torch_reference.py`)
 * on Fashion-MNIST, shared by `npm run fidelity` and the library benchmark: one pass over a
 * seeded random subset in batches, each batch predicted before it is learned (prequential
 * accuracy), then the test accuracy. Needs Debian's `dataset-fashion-mnist`.
 */
import * as tf from '@tensorflow/tfjs';
import { availableParallelism } from 'node:os';
import { fromConfig, deserialize, backend, type Classifier } from '../../src/index.js';
import { Pipeline } from '../../src/sigprop/parallel/pipeline.js';
import { Random } from '../../src/sigprop/utils/random.js';
import { loadFashionMnist, standardizeFashionMnist } from '../../clients/datasets/fashion-mnist.js';
import type { Dataset } from '../../clients/datasets/dataset.js';

/** What to train (the defaults are the reference script's). */
export interface TrainRunOptions {
  loss: 'v1' | 'v9' | 'v14' | 'v15';
  batch: number;
  /** Training samples to learn (at most 60,000). */
  samples: number;
  hidden: number;
  lr: number;
  seed: number;
  /** The `k` of v15. */
  k: number;
  backend: backend.BackendName;
  /** Threads to learn in (`Pipeline`): 1 learns in this thread with `Classifier.learn`; `'auto'` is 2 on a machine with 2 cores or more. */
  stages: number | 'auto';
}

/** One run's outcome, with the keys of the reference script's JSON line. */
export interface TrainRunResult {
  impl: 'sigprop-stream';
  backend: string;
  loss: string;
  batch: number;
  /** Samples learned (a last batch of 1 is skipped by the losses that compare samples). */
  samples: number;
  /** Training throughput: samples learned per second of the training loop (data loading excluded). */
  train_samples_per_s: number;
  prequential_acc: number;
  test_acc: number;
  /** Threads the model learned in (pipeline stages). */
  stages: number;
  /** The kernels the library replaced, and the OpenBLAS build when the native kernels loaded. */
  kernels: backend.KernelInfo;
}

/** The reference script's defaults. */
export const TRAIN_RUN_DEFAULTS: TrainRunOptions = {
  loss: 'v14', batch: 128, samples: 60000, hidden: 1024, lr: 5e-4, seed: 1, k: 2, backend: 'auto', stages: 'auto',
};

/**
 * Trains a fresh classifier as described by `options` and measures it.
 * @throws Error when the backend cannot start or Fashion-MNIST is not installed.
 */
export async function trainRun(options: TrainRunOptions): Promise<TrainRunResult> {
  const active = await backend.init({ backend: options.backend });
  const train = standardizeFashionMnist(loadFashionMnist('train'));
  const test = standardizeFashionMnist(loadFashionMnist('test'));
  const order = permutation(train.count, new Random(options.seed)).slice(0, Math.min(options.samples, train.count));
  const stages = options.stages === 'auto' ? Math.min(2, availableParallelism()) : options.stages;
  const run = stages === 1 ? learnAll(build(options), train, order, options) : await learnPipelined(train, order, options, stages, active.name);
  const { classifier, seen, correct, seconds } = run;
  const result: TrainRunResult = {
    impl: 'sigprop-stream',
    backend: active.name,
    loss: options.loss,
    batch: options.batch,
    samples: seen,
    train_samples_per_s: Math.round((seen / seconds) * 10) / 10,
    prequential_acc: round4(correct / seen),
    test_acc: round4(testAccuracy(classifier, test)),
    stages: run.stages,
    kernels: backend.kernelInfo(),
  };
  classifier.dispose();
  return result;
}

function build(options: TrainRunOptions): Classifier {
  return fromConfig(configOf(options));
}

/** The model config of a run. */
function configOf(options: TrainRunOptions): object {
  return {
    inputShape: [784],
    classes: 10,
    architecture: { name: 'mlp', numLayers: 2, numHidden: options.hidden },
    signal: { kind: 'projection-context-input', targets: options.loss === 'v1' ? 'per-class' : 'per-sample' },
    loss: { name: options.loss, k: options.k },
    optimizer: { kind: 'adam', lr: options.lr },
    seed: options.seed,
  };
}

/** What a training loop measured, and the model it trained (for the test accuracy). */
interface LoopResult {
  classifier: Classifier;
  seen: number;
  correct: number;
  seconds: number;
  stages: number;
}

/** The batches of a run: consecutive slices of `order`, without a last batch of one for the losses that compare samples (as the reference). */
function batchesOf(order: number[], options: TrainRunOptions): number[][] {
  const batches: number[][] = [];
  for (let i = 0; i < order.length; i += options.batch) batches.push(order.slice(i, i + options.batch));
  return batches.filter((idx) => options.loss === 'v1' || idx.length >= 2);
}

/** Learns the samples `order` in batches in this thread; counts pre-update hits; times the loop (seconds). */
function learnAll(classifier: Classifier, train: Dataset, order: number[], options: TrainRunOptions): LoopResult {
  let correct = 0;
  let seen = 0;
  const start = performance.now();
  for (const idx of batchesOf(order, options)) {
    const [x, y] = gather(train, idx);
    const { logits, loss } = classifier.learn(x, y);
    correct += countCorrect(logits, train, idx);
    seen += idx.length;
    tf.dispose([x, y, logits, loss]);
  }
  return { classifier, seen, correct, seconds: (performance.now() - start) / 1000, stages: 1 };
}

/** Batches kept in flight in a pipeline: enough that no stage waits for the main thread. */
const IN_FLIGHT = 4;

/**
 * {@link learnAll} over a {@link Pipeline} of `stages` threads (the same updates, bit for bit);
 * the trained model is rebuilt here from the pipeline's checkpoint. As in the single-threaded
 * loop (and the reference script), building the model — here starting the threads — is not timed.
 */
async function learnPipelined(train: Dataset, order: number[], options: TrainRunOptions, stages: number, backendName: string): Promise<LoopResult> {
  const pipeline = await Pipeline.start({ config: configOf(options) }, { stages, backend: backendName });
  const start = performance.now();
  let correct = 0;
  let seen = 0;
  const inFlight: Array<Promise<void>> = [];
  for (const idx of batchesOf(order, options)) {
    const [x, y] = gatherArrays(train, idx);
    inFlight.push(
      pipeline.learn(x, y).then(({ logits }) => {
        correct += countCorrectIn(logits, train, idx);
        seen += idx.length;
      }),
    );
    if (inFlight.length >= IN_FLIGHT) await inFlight.shift();
  }
  await Promise.all(inFlight);
  const seconds = (performance.now() - start) / 1000;
  const classifier = deserialize((await pipeline.checkpoint()).bytes);
  const used = pipeline.parts.length;
  await pipeline.dispose();
  return { classifier, seen, correct, seconds, stages: used };
}

/** Fisher–Yates shuffle of 0..n-1 with a seeded generator. */
function permutation(n: number, random: Random): number[] {
  const p = Array.from({ length: n }, (_, i) => i);
  for (let i = n - 1; i > 0; i--) {
    const j = random.int(i + 1);
    [p[i], p[j]] = [p[j], p[i]];
  }
  return p;
}

/** The samples `idx` as row-major `[B, 784]` float32 and int32 `[B]`. */
function gatherArrays(data: Dataset, idx: number[]): [Float32Array, Int32Array] {
  const x = new Float32Array(idx.length * data.features);
  idx.forEach((s, r) => x.set(data.x.subarray(s * data.features, (s + 1) * data.features), r * data.features));
  return [x, Int32Array.from(idx, (s) => data.y[s])];
}

/** The samples `idx` as tensors `[B, 784]` and int32 `[B]`. */
function gather(data: Dataset, idx: number[]): [tf.Tensor2D, tf.Tensor1D] {
  const [x, y] = gatherArrays(data, idx);
  return [tf.tensor2d(x, [idx.length, data.features]), tf.tensor1d(y, 'int32')];
}

function countCorrect(logits: tf.Tensor2D, data: Dataset, idx: number[]): number {
  return countCorrectIn(logits.dataSync() as Float32Array, data, idx);
}

/** Hits among row-major logits `[B, classes]` (argmax, first maximum on ties as tf.argMax). */
function countCorrectIn(logits: Float32Array, data: Dataset, idx: number[]): number {
  const classes = logits.length / idx.length;
  return idx.reduce((n, s, r) => {
    const row = logits.subarray(r * classes, (r + 1) * classes);
    const predicted = row.indexOf(Math.max(...row));
    return n + (predicted === data.y[s] ? 1 : 0);
  }, 0);
}

function testAccuracy(classifier: Classifier, data: Dataset): number {
  let right = 0;
  for (let i = 0; i < data.count; i += 1000) {
    const idx = Array.from({ length: Math.min(1000, data.count - i) }, (_, k) => i + k);
    const [x, y] = gather(data, idx);
    const logits = classifier.predict(x);
    right += countCorrect(logits, data, idx);
    tf.dispose([x, y, logits]);
  }
  return right / data.count;
}

function round4(v: number): number {
  return Math.round(v * 10000) / 10000;
}
