import { describe, it, expect, beforeAll } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { nn, signals, propagators, models, loss, optim } from '../../src/sigprop/index.js';
import { loadFixture, toTensor, relativeError, type StoredTensor } from '../helpers/fixtures.js';
import { BACKENDS, useBackend } from '../helpers/backends.js';

type Weights = Record<string, { kernel: StoredTensor; bias?: StoredTensor }>;

interface StepCase {
  loss: string;
  per_class_targets: boolean;
  lr: number;
  x: StoredTensor;
  labels: number[];
  weights_before: Weights;
  weights_after: Weights;
  eval_logits_before: StoredTensor;
  train_logits: StoredTensor;
  output_cross_entropy: number;
  eval_logits_after: StoredTensor;
}

const { cases } = loadFixture<{ cases: StepCase[] }>('model_step.json');

const LOSSES: Record<string, loss.LossFn> = {
  v1_input_label_direct: loss.v1InputLabelDirect,
  v9_input_target_max_all: loss.v9InputTargetMaxAll,
  v14_input_target_max_rand: loss.v14InputTargetMaxRand,
  v15_input_target_topk_k2: loss.v15InputTargetTopk(2),
};

/** Builds the fixture's architecture and loads `weights_before` into it. */
function buildModel(c: StepCase) {
  const sgd = (vars: tf.Variable[]) => new optim.Optimizer({ kind: 'sgd', lr: c.lr }, vars);
  const w = c.weights_before;
  const [inFeatures, hidden] = w['signal.input'].kernel.shape;
  const classes = w['signal.context'].kernel.shape[0];
  const layers = {
    'signal.context': new nn.Linear(classes, hidden, { bias: false }),
    'signal.input': new nn.Linear(inFeatures, hidden, { bias: false }),
    hidden1: new nn.Linear(hidden, hidden),
    hidden2: new nn.Linear(hidden, hidden),
    output: new nn.Linear(hidden, classes),
  };
  for (const [name, layer] of Object.entries(layers)) {
    layer.kernel.assign(toTensor(w[name].kernel));
    if (layer.bias) layer.bias.assign(toTensor(w[name].bias!));
  }
  const generator = new signals.ProjectionContextInput(
    new nn.Sequential(layers['signal.context'], new nn.ReLU()),
    new nn.Sequential(layers['signal.input'], new nn.ReLU()),
    [classes],
    [hidden],
  );
  const formatters = c.per_class_targets
    ? [new signals.LabelNumberToOnehot(classes), new signals.DistinctBatchLabelsOnehot()]
    : [new signals.LabelNumberToOnehot(classes)];
  const signal = new signals.Sequential(...formatters, generator);
  const localLoss = LOSSES[c.loss];
  const hiddenBlock = (layer: nn.Linear) => {
    const block = new nn.Sequential(layer, new nn.ReLU());
    return new propagators.Loss(block, sgd(block.parameters()), localLoss);
  };
  const network = new nn.Sequential<propagators.Flow>(
    hiddenBlock(layers.hidden1),
    hiddenBlock(layers.hidden2),
    new propagators.Identity(layers.output),
  );
  const model = new models.Forward(network, new propagators.signals.Loss(signal, sgd(signal.namedParameters().map(([, v]) => v)), localLoss));
  return { model, layers, outputOptimizer: sgd(model.parameters()) };
}

function expectClose(actual: tf.Tensor, expected: StoredTensor, what: string): void {
  expect(actual.shape, what).toEqual(expected.shape);
  expect(relativeError(actual.dataSync(), expected.data), what).toBeLessThanOrEqual(1e-4);
}

describe.each(BACKENDS)('one Forward model step matches the reference on %s', (backend) => {
  beforeAll(() => useBackend(backend));

  it.each(cases.map((c) => [c.loss, c] as const))('%s', (_name, c) => {
    const { model, layers, outputOptimizer } = buildModel(c);
    const x = toTensor(c.x);
    const labels = tf.tensor1d(c.labels, 'int32');
    expect(model.parameters()).toEqual([layers.output.kernel, layers.output.bias]);

    const before = tf.tidy(() => model.eval().forward({ x, context: null }));
    expectClose(before, c.eval_logits_before, 'eval logits before');

    model.train();
    const crossEntropy = (out: tf.Tensor, ctx: tf.Tensor) => loss.crossEntropy(out as tf.Tensor2D, ctx as tf.Tensor1D);
    const { output, loss: value } = model.learn({ x, context: labels }, crossEntropy, outputOptimizer);
    expectClose(output, c.train_logits, 'train logits (pre-update)');
    expect(Math.abs(value.dataSync()[0] - c.output_cross_entropy) / c.output_cross_entropy).toBeLessThanOrEqual(1e-4);

    for (const [name, layer] of Object.entries(layers)) {
      expectClose(layer.kernel, c.weights_after[name].kernel, `${name}.kernel after`);
      if (layer.bias) expectClose(layer.bias, c.weights_after[name].bias!, `${name}.bias after`);
    }
    const after = tf.tidy(() => model.eval().forward({ x, context: null }));
    expectClose(after, c.eval_logits_after, 'eval logits after');
    tf.dispose([before, after, output, value, x, labels]);
    model.dispose();
  });
});
