import type { Module } from '../nn/module.js';
import type { Optimizer } from '../optim/optimizer.js';
import type { LabelMetrics } from '../monitors/label-metrics.js';
import type { Flow } from '../propagators/types.js';
import type { SignalFlow } from '../propagators/signals/types.js';
import type { Model } from '../models/model.js';
import type { Random } from '../utils/random.js';

/** A propagator that learns by itself, with its optimizer and the monitor around its loss. */
export interface LocalLearner {
  /** `signal`, `hidden1`, `hidden2`, … (the metrics' layer names). */
  name: string;
  propagator: Module<Flow, Flow> | Module<Flow, SignalFlow>;
  optimizer: Optimizer | null;
  monitor: LabelMetrics;
}

/** A run of the network: its propagators in order and the learners among them. */
export interface NetworkPart {
  propagators: Array<Module<Flow, Flow>>;
  learners: LocalLearner[];
}

/** A built zoo model: the sigprop model, its local learners and the output layer's optimizer. */
export interface BuiltModel {
  model: Model;
  learners: LocalLearner[];
  /** Trains the `Identity` output layer with cross-entropy on the model output. */
  outputOptimizer: Optimizer;
  /** The generator of this model's dropout masks (its state is part of a checkpoint). */
  random: Random;
}
