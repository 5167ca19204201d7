import * as tf from '@tensorflow/tfjs';
import { Classifier } from '../classifier/classifier.js';
import { copyValues } from '../classifier/weights.js';
import { Forward } from '../models/forward.js';
import { crossEntropy } from '../loss/similarity.js';
import { classIndices } from '../loss/labels.js';
import type { LayerMetrics } from '../monitors/monitor.js';
import type { LocalLearner } from '../zoo/learner.js';
import { formatShape } from '../utils/shape.js';
import { checkpointTensors } from '../serialize/tensors.js';
import { ownsPath, partLearners, type StagePart } from './part.js';

/** The flow between two stages as plain arrays: `h` `[N, ...]` and `t` (`[N, ...]` or `[C, ...]`, or null). */
export interface FlowData {
  h: Float32Array;
  hShape: number[];
  t: Float32Array | null;
  tShape: number[] | null;
}

/** One batch as a stage receives it: the labels `[N]` always, the input `x` (row-major `[N, ...inputShape]`) in the first stage, the flow in the others. */
export interface StageBatch {
  labels: Int32Array;
  /** How many of the N samples are new (count in `samples`). */
  fresh: number;
  x?: Float32Array;
  flow?: FlowData;
}

/** What a stage hands on: the flow to the next stage, or (last stage) the pre-update logits `[N, classes]` row-major and the output loss. */
export type StageOutput =
  | { kind: 'flow'; flow: FlowData; layers: LayerMetrics[] }
  | { kind: 'result'; logits: Float32Array; loss: number; layers: LayerMetrics[] };

/**
 * One stage of a pipeline: a full classifier of which this stage learns only `part` — every
 * stage is built from the same config and seed (or checkpoint), so the layers it never touches
 * simply stay as they were. Learning part by part in order is the same computation as
 * `Classifier.learn` (the reference `Forward` training pass), because every learning propagator
 * detaches its outputs: each part needs only the flow before it. Counters (`samples`, `steps`)
 * advance in every stage alike.
 */
export class Stage {
  /** The local learners this stage trains, in the classifier's order. */
  readonly learners: LocalLearner[];
  private readonly tail: number;

  constructor(
    readonly classifier: Classifier,
    readonly part: StagePart,
  ) {
    this.learners = partLearners(classifier, part);
    this.tail = (classifier.built.model as Forward).tailStart();
  }

  /**
   * Learns this stage's part of one batch. The first stage checks the batch as
   * `Classifier.learn` does (before anything is learned).
   * @throws Error when x has the wrong size, a label is out of range or not an integer, the loss
   *   needs ≥ 2 samples and N < 2, `fresh` is not an integer in [0, N], or a non-first stage
   *   gets no flow.
   */
  learn(batch: StageBatch): StageOutput {
    const c = this.classifier;
    const n = batch.labels.length;
    c.checkBatchSize(n);
    Classifier.checkFresh(batch.fresh, n);
    const context = tf.tidy(() => classIndices(tf.tensor1d(batch.labels, 'int32'), c.config.classes, n, 'labels'));
    for (const l of this.learners) l.monitor.reset();
    try {
      c.built.model.train();
      let output: StageOutput | undefined;
      tf.tidy(() => {
        output = this.run(this.input(batch, n), context);
      });
      c.samples += batch.fresh;
      c.steps += 1;
      return output as StageOutput;
    } finally {
      context.dispose();
    }
  }

  /**
   * The part's variables' values, in `namedParameters()` order: consecutive stages' lists
   * concatenate to `readWeights`'s. @param spare arrays to fill again (see `readWeights`); the
   * first {@link variableCount} are used.
   */
  weights(spare: readonly Float32Array[] = []): Float32Array[] {
    return copyValues(this.ownedVariables(), spare);
  }

  /** How many variables the part owns (the length of {@link weights}). */
  get variableCount(): number {
    return this.ownedVariables().length;
  }

  /** The checkpoint tensors (see `checkpointTensors`) and the optimizers this stage keeps current. */
  ownership(): { tensors: string[]; optimizers: string[] } {
    const optimizers = this.classifier.optimizers().map(([name]) => name).filter((name) => (name === 'output' ? this.part.last : this.learners.some((l) => l.name === name)));
    const tensors = checkpointTensors(this.classifier)
      .map(({ name }) => name)
      .filter((name) => (name.startsWith('weights/') ? ownsPath(this.part, name.slice('weights/'.length), this.tail) : optimizers.includes(name.split('/')[1])));
    return { tensors, optimizers };
  }

  private ownedVariables(): tf.Variable[] {
    return this.classifier.built.model
      .namedParameters()
      .filter(([path]) => ownsPath(this.part, path, this.tail))
      .map(([, v]) => v);
  }

  /** The flow into this stage's first propagator (the input `x` for the first stage). */
  private input(batch: StageBatch, n: number): tf.Tensor | FlowData {
    if (this.part.first) {
      const shape = [n, ...this.classifier.config.inputShape];
      const size = shape.reduce((a, b) => a * b, 1);
      if (!batch.x || batch.x.length !== size) throw new Error(`x has ${batch.x?.length ?? 0} values; expected ${size} for shape ${formatShape(shape)}`);
      return tf.tensor(batch.x, shape, 'float32');
    }
    if (!batch.flow) throw new Error('stage: a batch for a later stage must carry the flow');
    return batch.flow;
  }

  private run(input: tf.Tensor | FlowData, context: tf.Tensor): StageOutput {
    const model = this.classifier.built.model as Forward;
    const start =
      input instanceof tf.Tensor
        ? model.learnSignal({ x: input, context })
        : { h: tf.tensor(input.h, input.hShape), t: input.t && tf.tensor(input.t, input.tShape as number[]), context };
    const flow = model.learnLayers(start, this.part.from, this.part.to);
    const layers = this.learners.map((l) => l.monitor.metrics()[0]);
    if (!this.part.last) {
      return { kind: 'flow', layers, flow: { h: ownValues(flow.h), hShape: flow.h.shape, t: flow.t && ownValues(flow.t), tShape: flow.t?.shape ?? null } };
    }
    const { output, loss } = model.learnTail(flow, (out, c) => crossEntropy(out as tf.Tensor2D, c as tf.Tensor1D), this.classifier.built.outputOptimizer);
    return { kind: 'result', layers, logits: ownValues(output), loss: loss.dataSync()[0] };
  }
}

/** A tensor's values in an array of their own (the cpu backend's `dataSync` hands out its storage, which may be shared; these arrays are transferred to other threads). */
function ownValues(t: tf.Tensor): Float32Array {
  return (t.dataSync() as Float32Array).slice();
}
