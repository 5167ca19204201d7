import { describe, it, expect, beforeAll } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { loss } from '../../src/sigprop/index.js';
import { loadFixture, toTensor, relativeError, referenceLayout, type StoredTensor } from '../helpers/fixtures.js';
import { BACKENDS, useBackend } from '../helpers/backends.js';

interface LossCase {
  loss: string;
  note: string;
  h1: StoredTensor;
  t1: StoredTensor;
  t0: StoredTensor;
  context: number[];
  value: number;
  grad_h1: StoredTensor;
  grad_t1: StoredTensor;
}

const { cases } = loadFixture<{ cases: LossCase[] }>('losses.json');

function lossByName(name: string): loss.LossFn {
  if (name === 'v1_input_label_direct') return loss.v1InputLabelDirect;
  if (name === 'v9_input_target_max_all') return loss.v9InputTargetMaxAll;
  if (name === 'v14_input_target_max_rand') return loss.v14InputTargetMaxRand;
  const topk = /^v15_input_target_topk_k(\d+)$/.exec(name);
  if (topk) return loss.v15InputTargetTopk(Number(topk[1]));
  throw new Error(`no loss named ${name}`);
}

describe.each(BACKENDS)('losses match the reference on %s', (backend) => {
  beforeAll(() => useBackend(backend));

  it.each(cases.map((c) => [`${c.loss} (${c.note})`, c] as const))('%s', (_name, c) => {
    const fn = lossByName(c.loss);
    const [h1, t1, t0] = [toTensor(c.h1), toTensor(c.t1), toTensor(c.t0)];
    const context = tf.tensor1d(c.context, 'int32');
    const h0 = h1;
    const value = fn(null, h1, t1, h0, t0, context);
    const [gradH1, gradT1] = tf.grads((a: tf.Tensor, b: tf.Tensor) => fn(null, a, b, h0, t0, context))([h1, t1]);
    expect(Math.abs(value.dataSync()[0] - c.value) / Math.abs(c.value)).toBeLessThanOrEqual(1e-4);
    expect(gradH1.shape).toEqual(h1.shape);
    expect(relativeError(referenceLayout(gradH1), c.grad_h1.data)).toBeLessThanOrEqual(1e-4);
    expect(relativeError(referenceLayout(gradT1), c.grad_t1.data)).toBeLessThanOrEqual(1e-4);
    tf.dispose([h1, t1, t0, context, value, gradH1, gradT1]);
  });
});

describe('loss argument errors', () => {
  beforeAll(() => useBackend('cpu'));

  it('names the arguments and shapes when h1 and t1 differ', () => {
    const h1 = tf.zeros([4, 5]);
    const t1 = tf.zeros([4, 6]);
    expect(() => loss.v14InputTargetMaxRand(null, h1, t1, h1, tf.eye(4), null)).toThrow(/h1 has shape \[4, 5\] and t1 has shape \[4, 6\]/);
  });

  it('rejects a label not below the number of classes', () => {
    const h1 = tf.ones([2, 3]);
    const t1 = tf.ones([4, 3]);
    const labels = tf.tensor1d([1, 4], 'int32');
    expect(() => loss.v1InputLabelDirect(null, h1, t1, h1, tf.eye(4), labels)).toThrow(/context\[1\] is 4; expected an integer in \[0, 3\]/);
  });

  it('rejects non-integer labels', () => {
    const h1 = tf.ones([2, 3]);
    const t1 = tf.ones([4, 3]);
    expect(() => loss.v1InputLabelDirect(null, h1, t1, h1, tf.eye(4), tf.tensor1d([0.5, 1]))).toThrow(/context\[0\] is 0.5/);
  });

  it('rejects t0 with the wrong number of rows', () => {
    const h1 = tf.ones([3, 2]);
    expect(() => loss.v9InputTargetMaxAll(null, h1, h1, h1, tf.eye(4), null)).toThrow(/t0 has 4 rows.*expected 3/);
  });

  it('rejects k out of range for top-k', () => {
    const h1 = tf.ones([3, 2]);
    expect(() => loss.v15InputTargetTopk(5)(null, h1, h1, h1, tf.eye(3), null)).toThrow(/k is 5; expected an integer in \[1, 3\]/);
  });
});
