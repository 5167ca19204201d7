import { availableParallelism } from 'node:os';
import * as tf from '@tensorflow/tfjs';
import type { Classifier } from '../classifier/classifier.js';
import { Forward } from '../models/forward.js';
import { Sequential } from '../nn/sequential.js';
import { Dropout, Dropout2d } from '../nn/dropout.js';
import { Learn } from '../propagators/learn.js';
import type { Module } from '../nn/module.js';
import type { LocalLearner } from '../zoo/learner.js';

/**
 * The slice of a classifier that one pipeline stage learns: the signal when `first`, the
 * network's propagators `[from, to)`, and the output tail (the propagators from
 * `Forward.tailStart()` on, trained by cross-entropy) when `last`. Consecutive stages' ranges
 * meet (`to` of one is `from` of the next), the first starts at 0 and the last ends at the tail.
 */
export interface StagePart {
  first: boolean;
  last: boolean;
  from: number;
  to: number;
}

/** The whole classifier as one part (a pipeline of one stage). */
export function wholePart(classifier: Classifier): StagePart {
  return { first: true, last: true, from: 0, to: tailStart(classifier) };
}

/**
 * Why `classifier` cannot be split over threads, or null when it can: its model must be a
 * {@link Forward} over a {@link Sequential} network, and nothing may draw random numbers while
 * learning — dropout masks come from one generator shared by all layers, so layers learning in
 * different threads would draw different masks than one thread does.
 */
export function pipelineObstacle(classifier: Classifier): string | null {
  const model = classifier.built.model;
  if (!(model instanceof Forward) || !(model.network instanceof Sequential)) return 'its network is not a sequence of propagators';
  return hasDropout(model) ? 'it uses dropout (one random generator shared by every layer)' : null;
}

function hasDropout(module: Module<never, unknown>): boolean {
  return module.modules().some(([, m]) => ((m instanceof Dropout || m instanceof Dropout2d) && m.p > 0) || hasDropout(m));
}

/**
 * Below this many multiply-adds per sample, `'auto'` learns in one thread: measured on 2 cores
 * (wasm + OpenBLAS, batch 128 / 32), the 784-256-256-10 MLP (0.5 M) and 784-512-512-10 (1.6 M)
 * gain nothing from two stages (14.9 vs 15.1 ms per batch of 128; 14.7 vs 12.7 ms at 32: the
 * messages cost more than the overlap saves), the reference 784-1024-1024-10 (5 M) gains 1.35×.
 */
export const AUTO_PIPELINE_MIN_WORK = 2e6;

/**
 * Splits a classifier into at most `stages` consecutive parts of about equal work, so that a
 * pipeline's threads wait on each other as little as possible. `'auto'` plans two parts on a
 * machine with 2+ cores when the model has at least {@link AUTO_PIPELINE_MIN_WORK} multiply-adds
 * per sample, else one. The work of a propagator is
 * estimated as its multiply-adds per sample (weight size × output positions), doubled for
 * learning propagators (they carry `h` and `t`); the signal counts once. The cut minimises the
 * largest part's work. Fewer parts are returned when there are not enough propagators to cut
 * between, and one part when {@link pipelineObstacle} gives a reason.
 * @throws Error when `stages` is not a positive integer.
 */
export function planStages(classifier: Classifier, stages: number | 'auto'): StagePart[] {
  if (stages !== 'auto' && (!Number.isInteger(stages) || stages < 1)) throw new Error(`stages is ${stages}; expected a positive integer or 'auto'`);
  if (stages === 1 || pipelineObstacle(classifier) !== null) return [wholePart(classifier)];
  const cost = workPerPropagator(classifier);
  const count = stages === 'auto' ? (cost.reduce((a, b) => a + b, 0) >= AUTO_PIPELINE_MIN_WORK ? Math.min(2, availableParallelism()) : 1) : stages;
  if (count === 1) return [wholePart(classifier)];
  const cuts = bestCuts(cost, count);
  const bounds = [0, ...cuts, tailStart(classifier)];
  return bounds.slice(0, -1).map((from, i) => ({ first: i === 0, last: i === bounds.length - 2, from, to: bounds[i + 1] }));
}

/** Network index where the output tail starts. */
function tailStart(classifier: Classifier): number {
  const model = classifier.built.model;
  return model instanceof Forward && model.network instanceof Sequential ? model.tailStart() : 0;
}

/**
 * Work of [signal, learning range..., tail] where entry 0 is the signal, entries 1..tailStart the
 * network's propagators before the tail, and the last entry the tail (it always stays in the last
 * part). Measured from the shapes of an evaluation pass on zeros.
 */
function workPerPropagator(classifier: Classifier): number[] {
  const model = classifier.built.model as Forward;
  const layers = model.layers();
  const split = model.tailStart();
  return tf.tidy(() => {
    model.eval();
    // Two rows: a batch norm without running statistics needs more than one.
    const x = tf.zeros([2, ...classifier.config.inputShape]);
    let h = model.signal.forward({ h: x, t: null, context: null }).h;
    const work = [macs(model.signal, h)];
    for (const layer of layers) {
      h = layer.forward({ h, t: null, context: null }).h;
      work.push(macs(layer, h) * (layer instanceof Learn ? 2 : 1));
    }
    model.train();
    const tail = work.slice(split + 1).reduce((a, b) => a + b, 0);
    return [...work.slice(0, split + 1), tail];
  });
}

/** Multiply-adds per sample of a module producing `out` `[N, ..., channels]`: its largest weight's size × the output positions. */
function macs(module: Module<never, unknown>, out: tf.Tensor): number {
  const weights = module.namedParameters().map(([, v]) => v);
  if (weights.length === 0) return 0;
  const weight = weights.reduce((a, b) => (b.size > a.size ? b : a));
  const channels = weight.shape[weight.shape.length - 1];
  return (out.size / out.shape[0] / channels) * weight.size;
}

/**
 * The network indices where parts after the first begin, choosing the cuts so that the largest
 * part's work is smallest. `cost[0]` is the signal (always in the first part), `cost[i]` network
 * propagator i − 1, the last entry the tail (always in the last part). Dynamic programming over
 * (parts, prefix): O(stages × n²) for n entries, so deep models and many stages plan at once.
 */
function bestCuts(cost: number[], stages: number): number[] {
  const n = cost.length;
  const parts = Math.min(stages, n);
  const prefix = cost.reduce((acc, c) => [...acc, acc[acc.length - 1] + c], [0]);
  // worst[k][i]: the smallest largest part when the first i entries form k parts; from[k][i]: where the k-th part starts.
  const worst = Array.from({ length: parts + 1 }, () => new Array<number>(n + 1).fill(Infinity));
  const from = Array.from({ length: parts + 1 }, () => new Array<number>(n + 1).fill(0));
  worst[0][0] = 0;
  for (let k = 1; k <= parts; k++) {
    for (let i = k; i <= n; i++) {
      for (let j = k - 1; j < i; j++) {
        const value = Math.max(worst[k - 1][j], prefix[i] - prefix[j]);
        if (value < worst[k][i]) {
          worst[k][i] = value;
          from[k][i] = j;
        }
      }
    }
  }
  const bounds: number[] = [];
  for (let k = parts, i = n; k > 1; k--) {
    i = from[k][i];
    bounds.unshift(i);
  }
  return bounds.map((b) => b - 1);
}

/** The local learners whose propagators are in `part` (in the classifier's order). */
export function partLearners(classifier: Classifier, part: StagePart): LocalLearner[] {
  const model = classifier.built.model as Forward;
  const layers: unknown[] = model instanceof Forward && model.network instanceof Sequential ? model.layers() : [];
  return classifier.built.learners.filter((l) => {
    if (l.propagator === model.signal) return part.first;
    const i = layers.indexOf(l.propagator);
    return i >= part.from && i < part.to;
  });
}

/**
 * Whether the model variable at `path` (a `namedParameters()` path) belongs to `part`:
 * `signal.…` to the first part, `network.<i>.…` to the part whose range holds i, the tail's
 * to the last.
 */
export function ownsPath(part: StagePart, path: string, tail: number): boolean {
  if (path.startsWith('signal.')) return part.first;
  const match = /^network\.(\d+)\./.exec(path);
  if (!match) return part.last;
  const i = Number(match[1]);
  return i >= tail ? part.last : i >= part.from && i < part.to;
}
