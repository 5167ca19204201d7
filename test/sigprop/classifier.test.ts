import { describe, it, expect, beforeAll } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { fromConfig } from '../../src/index.js';
import { BACKENDS, useBackend } from '../helpers/backends.js';
import { readWeights, writeWeights } from '../../src/sigprop/classifier/weights.js';
import { init } from '../../src/sigprop/backend/index.js';

const CONFIGS = {
  'v1, per-class targets': { inputShape: [12], classes: 3, architecture: { name: 'mlp', numHidden: 16 } },
  'v14, per-sample targets, dropout': {
    inputShape: [12],
    classes: 3,
    architecture: { name: 'mlp', numHidden: 16, dropout: 0.2 },
    signal: { targets: 'per-sample' },
    loss: { name: 'v14' },
  },
};

function batch(n: number): [tf.Tensor, tf.Tensor] {
  return [tf.randomNormal([n, 12], 0, 1, 'float32', 3), tf.tensor1d(Array.from({ length: n }, (_, i) => i % 3), 'int32')];
}

describe.each(BACKENDS)('Classifier on %s', (backend) => {
  beforeAll(() => useBackend(backend));

  it('no tensor leak: the count after 1,000 steps equals the count after 10 (learn and predict, v14 with dropout)', () => {
    const classifier = fromConfig(CONFIGS['v14, per-sample targets, dropout']);
    const [x, y] = batch(4);
    const step = () => {
      const { logits, loss } = classifier.learn(x, y);
      tf.dispose([logits, loss, classifier.predict(x)]);
    };
    for (let i = 0; i < 10; i++) step();
    const after10 = tf.memory().numTensors;
    for (let i = 10; i < 1000; i++) step();
    expect(tf.memory().numTensors).toBe(after10);
    expect(classifier.samples).toBe(4000);
    tf.dispose([x, y]);
  });

  it('dispose() releases every tensor the classifier made (weights, optimizer state, kept losses)', () => {
    const before = tf.memory().numTensors;
    const classifier = fromConfig(CONFIGS['v1, per-class targets']);
    const [x, y] = batch(4);
    const { logits, loss } = classifier.learn(x, y);
    tf.dispose([logits, loss, x, y]);
    classifier.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });

  it('bad inputs are refused with the shape seen and expected, and nothing is learned', () => {
    const classifier = fromConfig(CONFIGS['v14, per-sample targets, dropout']);
    expect(() => classifier.learn(tf.zeros([2, 11]), tf.tensor1d([0, 1], 'int32'))).toThrow(/x has shape \[2, 11\]; expected \[N, 12\]/);
    expect(() => classifier.learn(tf.zeros([2, 12]), tf.tensor1d([0, 3], 'int32'))).toThrow(/labels\[1\] is 3; expected an integer in \[0, 2\]/);
    expect(() => classifier.learn(tf.zeros([1, 12]), tf.tensor1d([0], 'int32'))).toThrow(/needs at least 2 per update; got 1/);
    expect(classifier.samples).toBe(0);
    expect(classifier.steps).toBe(0);
  });

  it('fresh (new samples among N) must be an integer in [0, N]: else refused with the value and the range, nothing learned, no tensor left', () => {
    const classifier = fromConfig(CONFIGS['v1, per-class targets']);
    const [x, y] = batch(4);
    const weights = classifier.built.model.parameters().map((v) => Array.from(v.dataSync()));
    const before = tf.memory().numTensors;
    for (const [fresh, shown] of [[5, '5'], [-1, '-1'], [1.5, '1.5'], [Number.NaN, 'NaN'], ['2', '"2" (a string)']] as const) {
      expect(() => classifier.learn(x, y, fresh as number)).toThrow(`learn: fresh is ${shown}; expected an integer in [0, 4] (how many of the batch's 4 samples are new)`);
    }
    expect(tf.memory().numTensors).toBe(before);
    expect({ samples: classifier.samples, steps: classifier.steps }).toEqual({ samples: 0, steps: 0 });
    expect(classifier.built.model.parameters().map((v) => Array.from(v.dataSync()))).toEqual(weights);
    for (const fresh of [0, 3, 4]) tf.dispose(Object.values(classifier.learn(x, y, fresh)));
    expect({ samples: classifier.samples, steps: classifier.steps }).toEqual({ samples: 7, steps: 3 });
    tf.dispose([x, y]);
    classifier.dispose();
  });
});

describe('readWeights / writeWeights: snapshots into reused arrays, loaded without keeping them', () => {
  for (const backend of ['cpu', 'wasm'] as const) {
    it(`on ${backend}: readWeights refills spare arrays of the right length and replaces the others; writeWeights copies the values in`, async () => {
      await init({ backend });
      const config = { inputShape: [6], classes: 3, architecture: { name: 'mlp', numLayers: 1, numHidden: 5 }, seed: 2 };
      const source = fromConfig(config);
      const target = fromConfig({ ...config, seed: 9 });
      const spare = readWeights(target);
      const wrong = new Float32Array(1);
      const copy = readWeights(source, [wrong, ...spare.slice(1)]);
      expect(copy[0]).not.toBe(wrong);
      copy.slice(1).forEach((a, i) => expect(a).toBe(spare[i + 1]));
      writeWeights(target, copy);
      const x = tf.tensor2d([[0.1, -0.2, 0.3, 0.4, -0.5, 0.6]]);
      const expected = Array.from(source.predict(x).dataSync());
      expect(Array.from(target.predict(x).dataSync())).toEqual(expected);
      // The model keeps no reference to the arrays: changing them afterwards changes nothing.
      for (const a of copy) a.fill(0);
      expect(Array.from(target.predict(x).dataSync())).toEqual(expected);
      tf.dispose(x);
      source.dispose();
      target.dispose();
    });
  }
});
