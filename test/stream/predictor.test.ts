import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { fromConfig } from '../../src/sigprop/config/from-config.js';
import { readWeights } from '../../src/sigprop/classifier/weights.js';
import { init } from '../../src/sigprop/backend/index.js';
import { PredictorClient } from '../../src/stream/predictor/client.js';
import { BACKEND, CLASSES, FEATURES, input, items, smallConfig } from './helpers.js';

/** A model of smallConfig that learned a few batches, so its weights differ from a fresh one's. */
async function learnedModel() {
  await init({ backend: BACKEND });
  const classifier = fromConfig(smallConfig());
  const batch = items(32);
  const x = new Float32Array(32 * FEATURES);
  batch.forEach((b, i) => x.set(b.x as Float32Array, i * FEATURES));
  for (let i = 0; i < 3; i++) {
    tf.tidy(() => {
      classifier.learn(tf.tensor(x, [32, FEATURES]), tf.tensor(batch.map((b) => b.y as number), [32], 'int32'));
    });
  }
  return classifier;
}

describe('prediction thread', () => {
  it('answers with the published weights: the same probabilities as the learner’s model, and its step', async () => {
    const classifier = await learnedModel();
    const predictor = await PredictorClient.start(smallConfig() as { classes: number }, 0, BACKEND);
    try {
      const x = new Float32Array([...input(1), ...input(2)]);
      const fresh = await predictor.predict(x.slice(), 2);
      expect(fresh.map((p) => p.step)).toEqual([0, 0]);

      predictor.offer({ step: classifier.steps, samples: classifier.samples, arrays: readWeights(classifier) });
      const answered = await predictor.predict(x.slice(), 2);
      const expected = tf.tidy(() => tf.softmax(classifier.predict(tf.tensor(x, [2, FEATURES]))).arraySync() as number[][]);
      expect(answered.map((p) => p.probs)).toEqual(expected);
      expect(answered.map((p) => p.step)).toEqual([3, 3]);
      expect(answered.map((p) => p.label)).toEqual(expected.map((row) => row.indexOf(Math.max(...row))));
      expect(answered[0].probs).toHaveLength(CLASSES);
      expect(answered[0].probs).not.toEqual(fresh[0].probs);
    } finally {
      await predictor.dispose();
      classifier.dispose();
    }
  });

  it('hands every snapshot’s arrays back once it is loaded or superseded, for the learner to refill', async () => {
    const classifier = await learnedModel();
    const predictor = await PredictorClient.start(smallConfig() as { classes: number }, 0, BACKEND);
    const recycled: Float32Array[][] = [];
    predictor.onRecycled = (arrays) => recycled.push(arrays);
    try {
      const sizes = readWeights(classifier).map((a) => a.length);
      const first = readWeights(classifier);
      predictor.offer({ step: 1, samples: 1, arrays: first });
      predictor.offer({ step: 2, samples: 2, arrays: readWeights(classifier) });
      expect(first.every((a) => a.length === 0)).toBe(true);
      const [p] = await predictor.predict(input(1), 1);
      expect(p.step).toBe(2);
      await expect.poll(() => recycled.length).toBe(2);
      for (const arrays of recycled) expect(arrays.map((a) => a.length)).toEqual(sizes);
    } finally {
      await predictor.dispose();
      classifier.dispose();
    }
  });

  it('a snapshot that does not fit the model fails the thread once (onFailure) and every later prediction', async () => {
    const predictor = await PredictorClient.start(smallConfig() as { classes: number }, 0, BACKEND);
    const failures: Error[] = [];
    predictor.onFailure = (e) => failures.push(e);
    try {
      predictor.offer({ step: 1, samples: 1, arrays: [new Float32Array(3)] });
      await expect.poll(() => failures.length).toBe(1);
      expect(failures[0].message).toMatch(/weights: got 1 arrays; expected \d+, one per model variable/);
      await expect(predictor.predict(input(1), 1)).rejects.toThrow(/weights: got 1 arrays/);
    } finally {
      await predictor.dispose();
    }
    expect(failures).toHaveLength(1);
  });

  it('a bad config is refused at start with the config error; after dispose predictions fail with closed, not as a crash', async () => {
    await expect(PredictorClient.start({ classes: 4, inputShape: [0] } as { classes: number }, 0, BACKEND)).rejects.toThrow(/inputShape/);
    const predictor = await PredictorClient.start(smallConfig() as { classes: number }, 0, BACKEND);
    const failures: Error[] = [];
    predictor.onFailure = (e) => failures.push(e);
    // Answered before the thread ended, or refused as closed: never left hanging.
    const inFlight = predictor.predict(input(1), 1).then((p) => p.length, (e: { code?: string }) => e.code);
    await predictor.dispose();
    expect([1, 'closed']).toContain(await inFlight);
    await expect(predictor.predict(input(1), 1)).rejects.toMatchObject({ code: 'closed' });
    expect(failures).toEqual([]);
  });
});
