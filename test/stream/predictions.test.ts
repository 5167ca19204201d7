import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { openStore } from '../../src/store/index.js';
import { deserialize } from '../../src/sigprop/serialize/index.js';
import type { LiveModel } from '../../src/stream/live-model.js';
import type { Prediction } from '../../src/stream/types.js';
import { FEATURES, input, items, sleep, smallConfig, useEngines } from './helpers.js';

/** Predicts `x` until the answer reflects `step` (the learner publishes within maxStalenessMs). */
async function predictAtStep(model: LiveModel, x: Float32Array, step: number): Promise<Prediction> {
  for (;;) {
    const [p] = await model.predict([{ x }]);
    if (p.step >= step) return p;
    await sleep(10);
  }
}

describe('predictions: answered at once from the latest weights', () => {
  const engines = useEngines();

  it('are answered while the learner is busy with a long batch, before that batch completes', async () => {
    const engine = await engines.open();
    const features = 256;
    await engine.createModel('big', {
      inputShape: [features],
      classes: 4,
      architecture: { name: 'mlp', numLayers: 2, numHidden: 512 },
      batch: { maxSize: 4096, maxWaitMs: 5 },
      checkpoint: { everySamples: 0, everySeconds: 0, keepLast: 1, keepEvery: 0 },
    });
    const model = engine.model('big');
    await model.learn(items(1, { features, prefix: 'warm-' }));
    await model.drain();
    const stepBefore = model.status().step;

    // 301 items at once: the first few go alone (one per free place in the learner's pipeline),
    // the rest in one long update.
    await model.learn(items(301, { features }));
    const x = input(1, features);
    const answeredDuringBatch: Prediction[] = [];
    while (model.status().queued > 0) {
      const before = model.status();
      const [p] = await model.predict([{ x }]);
      // Nothing was learned while this prediction ran, and the long batch is still in flight.
      const after = model.status();
      if (after.samples === before.samples && after.queued > 200) answeredDuringBatch.push(p);
      await new Promise((resolve) => setImmediate(resolve));
    }
    expect(answeredDuringBatch.length).toBeGreaterThanOrEqual(3);
    // Answered from weights that do not include the long batch (only the lone items' updates).
    expect(Math.max(...answeredDuringBatch.map((p) => p.step))).toBeLessThan(model.status().step);
    await model.drain();
    expect(model.status()).toMatchObject({ samples: 302, queued: 0 });
    expect(model.status().step).toBeGreaterThan(stepBefore + 1);
  });

  it('report the step their weights reflect; the step grows with learning and catches up with the learner', async () => {
    const dataDir = engines.dir();
    const engine = await engines.open({ dataDir, maxStalenessMs: 30 });
    await engine.createModel('m', smallConfig({ batch: { maxSize: 1, maxWaitMs: 5 } }));
    const model = engine.model('m');
    const x = input(3);
    const [first] = await model.predict([{ x }]);
    expect(first.step).toBe(0);

    // While items stream in, predictions never run ahead of the learner and never go back.
    const steps: number[] = [];
    const list = items(150);
    for (let i = 0; i < list.length; i += 10) {
      void model.learn(list.slice(i, i + 10));
      const [p] = await model.predict([{ x }]);
      expect(p.step).toBeLessThanOrEqual(model.status().step);
      steps.push(p.step);
      await sleep(5);
    }
    expect(steps).toEqual([...steps].sort((a, b) => a - b));
    await model.drain();
    const { step } = model.status();
    expect(step).toBe(150);
    const latest = await predictAtStep(model, x, step);
    expect(latest.step).toBe(150);
    expect(latest.step).toBeGreaterThan(steps[0]);

    // The weights behind `step` are the learner's weights at that step: same answer as its checkpoint.
    const checkpoint = await model.checkpoint();
    expect(checkpoint.step).toBe(150);
    const store = openStore(path.join(dataDir, 'sigprop.db'));
    const classifier = deserialize(store.checkpoints.get(checkpoint.id).bytes);
    store.close();
    const probs = tf.tidy(() => Array.from(tf.softmax(classifier.predict(tf.tensor(x, [1, FEATURES]))).dataSync()));
    classifier.dispose();
    expect(latest.probs).toEqual(probs);
  });
});
