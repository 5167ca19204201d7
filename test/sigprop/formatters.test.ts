import { describe, it, expect, beforeAll } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { signals, functional } from '../../src/sigprop/index.js';
import { loadFixture, type StoredTensor } from '../helpers/fixtures.js';
import { BACKENDS, useBackend } from '../helpers/backends.js';

interface FormatterFixture {
  labels: number[];
  label_number_to_onehot: StoredTensor;
  distinct_batch_labels_onehot: StoredTensor;
  distinct_batch_labels: StoredTensor;
  label_vector_to_number: StoredTensor;
}

const fx = loadFixture<FormatterFixture>('formatters.json');

function expectExact(t: tf.Tensor | null, expected: StoredTensor): void {
  expect(t).not.toBeNull();
  expect(t!.shape).toEqual(expected.shape);
  expect(Array.from(t!.dataSync())).toEqual(expected.data);
}

describe.each(BACKENDS)('formatters reproduce the reference exactly on %s', (backend) => {
  beforeAll(() => useBackend(backend));
  const h = () => tf.zeros([6, 2]);

  it('LabelNumberToOnehot with and without numClasses', () => {
    const labels = tf.tensor1d(fx.labels, 'int32');
    expectExact(new signals.LabelNumberToOnehot(4).forward({ h: h(), t: labels }).t, fx.label_number_to_onehot);
    expectExact(new signals.LabelNumberToOnehot().forward({ h: h(), t: labels }).t, fx.label_number_to_onehot);
  });

  it('DistinctBatchLabelsOnehot, DistinctBatchLabels, LabelVectorToNumber', () => {
    const onehot = functional.labelNumberToOnehot(tf.tensor1d(fx.labels, 'int32'), 4);
    expectExact(new signals.DistinctBatchLabelsOnehot().forward({ h: h(), t: onehot }).t, fx.distinct_batch_labels_onehot);
    expectExact(new signals.DistinctBatchLabels().forward({ h: h(), t: onehot }).t, fx.distinct_batch_labels);
    expectExact(new signals.LabelVectorToNumber().forward({ h: h(), t: onehot }).t, fx.label_vector_to_number);
  });

  it('pass null through and leave h untouched', () => {
    const input = h();
    for (const f of [new signals.LabelNumberToOnehot(4), new signals.DistinctBatchLabelsOnehot(), new signals.DistinctBatchLabels(), new signals.LabelVectorToNumber()]) {
      const out = f.forward({ h: input, t: null });
      expect(out.t).toBeNull();
      expect(out.h).toBe(input);
    }
  });
});

describe('formatter errors', () => {
  beforeAll(() => useBackend('cpu'));

  it('label out of range names index, value and range', () => {
    expect(() => functional.labelNumberToOnehot(tf.tensor1d([0, 4], 'int32'), 4)).toThrow(/label\[1\] is 4; expected an integer in \[0, 3\]/);
  });

  it('non-integer label', () => {
    expect(() => functional.labelNumberToOnehot(tf.tensor1d([0.5]), 4)).toThrow(/label\[0\] is 0.5/);
  });

  it('a non-tensor input says what it got and what is expected', () => {
    expect(() => functional.labelNumberToOnehot([1, 2] as unknown as tf.Tensor, 4)).toThrow(/t is an array; expected a tf.Tensor of shape \[B\]/);
    expect(() => functional.distinctBatchLabelsOnehot(tf.zeros([3]))).toThrow(/t has shape \[3\]; expected \[B, C\]/);
  });
});
