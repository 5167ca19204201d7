import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { openStore } from '../../src/store/index.js';
import { committed, input, items, sleep, smallConfig, streamError, until, useEngines } from './helpers.js';

describe('delayed labels', () => {
  const engines = useEngines();

  it('label(predictionId, y) learns the stored input with that label, once; the recording holds the prediction and the label', async () => {
    const dataDir = engines.dir();
    const engine = await engines.open({ dataDir });
    await engine.createModel('m', smallConfig());
    const model = engine.model('m');
    await model.learn(items(4));
    const x = input(5);
    // Labelled at once, in the same turn as the prediction: the pending row is there already.
    const [prediction] = await model.predict([{ clientId: 'p-1', x }]);
    expect(prediction).toMatchObject({ clientId: 'p-1', predictionId: expect.any(String) });
    const [ack] = await model.label([{ clientId: 'l-1', predictionId: prediction.predictionId, y: 3 }]);
    expect(ack).toEqual({ clientId: 'l-1', seq: 6, duplicate: false });
    await model.drain();
    expect(model.status()).toMatchObject({ samples: 5, pendingPredictions: 0, lastSeq: 6 });

    // A resend of the label (same clientId) is a duplicate; the id alone cannot be used twice.
    expect(await model.label([{ clientId: 'l-1', predictionId: prediction.predictionId, y: 3 }])).toEqual([{ clientId: 'l-1', seq: 6, duplicate: true }]);
    const reused = await streamError(model.label([{ predictionId: prediction.predictionId, y: 1 }]));
    expect(reused.code).toBe('unknown_prediction');
    await model.drain();
    expect(model.status()).toMatchObject({ samples: 5, lastSeq: 6 });

    // Client ids of predictions do not block learn items: a learn item with the id is learned.
    expect(await model.learn([{ clientId: 'p-1', x, y: 2 }])).toEqual([{ clientId: 'p-1', seq: 7, duplicate: false }]);
    await model.drain();
    expect(model.status()).toMatchObject({ samples: 6, lastSeq: 7 });
    await engine.close();

    const store = openStore(path.join(dataDir, 'sigprop.db'));
    try {
      const [predicted, labelled] = store.recordings.read(store.recordings.live('m').id, { fromSeq: 5 });
      // A prediction's client id is not recorded: predictions are never deduplicated (see below).
      expect(predicted).toMatchObject({ seq: 5, kind: 'predict', predictionId: prediction.predictionId, clientId: null, label: null });
      expect(labelled).toMatchObject({ seq: 6, kind: 'label', predictionId: prediction.predictionId, clientId: 'l-1', label: 3 });
      expect(Array.from(predicted.x!)).toEqual(Array.from(x));
      expect(Array.from(labelled.x!)).toEqual(Array.from(x));
    } finally {
      store.close();
    }
  });

  it('a label is learned from the input as predicted, not from anything sent with it', async () => {
    const engine = await engines.open();
    await engine.createModel('m', smallConfig({ batch: { maxSize: 1, maxWaitMs: 5 } }));
    await engine.createModel('twin', smallConfig({ batch: { maxSize: 1, maxWaitMs: 5 } }));
    const model = engine.model('m');
    const twin = engine.model('twin');
    const x = input(8);
    const [prediction] = await model.predict([{ x }]);
    await model.label([{ predictionId: prediction.predictionId, y: 2 }]);
    await twin.learn([{ x, y: 2 }]);
    await Promise.all([model.drain(), twin.drain()]);
    // Same config and seed, same single update: the same weights (compare their predictions).
    const probe = [{ x: input(9) }];
    // Both publish the weights of their update within maxStalenessMs.
    await until(() => model.status().step === 1 && twin.status().step === 1);
    let a = (await model.predict(probe))[0];
    let b = (await twin.predict(probe))[0];
    while (a.step < 1 || b.step < 1) {
      await sleep(20);
      [a] = await model.predict(probe);
      [b] = await twin.predict(probe);
    }
    expect(a.step).toBe(1);
    expect(a.probs).toEqual(b.probs);
  });

  it('an expired prediction answers expired_prediction (every time) and nothing is learned', async () => {
    const engine = await engines.open({ predictionTtlMs: 150 });
    await engine.createModel('m', smallConfig());
    const model = engine.model('m');
    const [prediction] = await model.predict([{ x: input() }]);
    await committed();
    expect(model.status().pendingPredictions).toBe(1);
    await sleep(250);
    for (let i = 0; i < 2; i++) {
      const error = await streamError(model.label([{ predictionId: prediction.predictionId, y: 0 }]));
      expect({ code: error.code, index: error.index }).toEqual({ code: 'expired_prediction', index: 0 });
    }
    await model.drain();
    // A failed label changes nothing (the expired row goes with the periodic purge).
    expect(model.status()).toMatchObject({ samples: 0, lastSeq: 1, pendingPredictions: 1 });
  });

  it('the store of pending predictions is bounded (oldest evicted → unknown_prediction)', async () => {
    const engine = await engines.open({ maxPending: 3 });
    await engine.createModel('m', smallConfig());
    const model = engine.model('m');
    const predictions = await model.predict([1, 2, 3, 4, 5].map((seed) => ({ x: input(seed) })));
    await committed();
    expect(model.status().pendingPredictions).toBe(3);
    for (const p of predictions.slice(0, 2)) expect((await streamError(model.label([{ predictionId: p.predictionId, y: 1 }]))).code).toBe('unknown_prediction');
    const acks = await model.label(predictions.slice(2).map((p, i) => ({ predictionId: p.predictionId, y: i })));
    expect(acks.map((a) => a.seq)).toEqual([6, 7, 8]);
    await model.drain();
    expect(model.status()).toMatchObject({ samples: 3, pendingPredictions: 0 });
  });

  it('in a batch of labels, the items before a bad one are accepted and the error names the bad one', async () => {
    const engine = await engines.open();
    await engine.createModel('m', smallConfig());
    const model = engine.model('m');
    const [p1, p2] = await model.predict([{ x: input(1) }, { x: input(2) }]);
    const error = await streamError(model.label([{ predictionId: p1.predictionId, y: 1 }, { predictionId: 'gone', y: 1 }, { predictionId: p2.predictionId, y: 1 }]));
    expect({ code: error.code, index: error.index }).toEqual({ code: 'unknown_prediction', index: 1 });
    await model.drain();
    expect(model.status()).toMatchObject({ samples: 1, pendingPredictions: 1 });
  });

  it('pending predictions survive a restart: a label after it is still learned', async () => {
    const dataDir = engines.dir();
    const first = await engines.open({ dataDir });
    await first.createModel('m', smallConfig());
    const [prediction] = await first.model('m').predict([{ x: input() }]);
    await first.close();
    const second = await engines.open({ dataDir });
    const model = second.model('m');
    expect(model.status().pendingPredictions).toBe(1);
    await model.label([{ predictionId: prediction.predictionId, y: 1 }]);
    await model.drain();
    expect(model.status()).toMatchObject({ samples: 1, pendingPredictions: 0, lastSeq: 2 });
  });
});
