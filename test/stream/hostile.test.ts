import { describe, it, expect } from 'vitest';
import { useEngines, smallConfig, items, input, streamError, FEATURES } from './helpers.js';

describe('what hostile or careless clients found', () => {
  const engines = useEngines();

  it('a config that validates but cannot be built is refused with bad_config and leaves nothing behind', async () => {
    const engine = await engines.open();
    const error = await streamError(engine.createModel('v', { inputShape: [2, 2, 1], architecture: { name: 'vgg6' } }));
    expect(error.code).toBe('bad_config');
    expect(error.message).toMatch(/too small/);
    expect(engine.models().map((m) => m.name)).toEqual([]);
    await engine.createModel('v', smallConfig());
    expect(engine.models().map((m) => m.name)).toEqual(['v']);
  });

  it('a config for a model too large for memory is refused at once with bad_config', async () => {
    const engine = await engines.open();
    const error = await streamError(engine.createModel('huge', { architecture: { name: 'mlp', numLayers: 64, numHidden: 65536 } }));
    expect(error.code).toBe('bad_config');
    expect(error.message).toMatch(/\/architecture: about \d+M weights; at most 100M/);
    expect(engine.models()).toEqual([]);
  });

  it("a label sent to another model than the prediction's is unknown there and stays pending for its own model", async () => {
    const engine = await engines.open();
    await engine.createModel('a', smallConfig());
    await engine.createModel('b', smallConfig({ inputShape: [4] }));
    const [prediction] = await engine.model('a').predict([{ x: input() }]);
    const wrong = await streamError(engine.model('b').label([{ predictionId: prediction.predictionId, y: 0 }]));
    expect(wrong.code).toBe('unknown_prediction');
    expect(wrong.message).toMatch(/made by model 'a', not 'b'/);
    const [ack] = await engine.model('a').label([{ predictionId: prediction.predictionId, y: 1 }]);
    expect(ack.duplicate).toBe(false);
    await engine.model('a').drain();
    expect(engine.model('a').status().samples).toBe(1);
    expect(engine.model('b').status()).toMatchObject({ samples: 0, lastSeq: 0 });
  });

  it('a request with too many items is refused with too_large before anything is accepted', async () => {
    const engine = await engines.open();
    await engine.createModel('m', smallConfig());
    const error = await streamError(engine.model('m').learn(items(4097)));
    expect(error.code).toBe('too_large');
    expect(engine.model('m').status().lastSeq).toBe(0);
    const predictions = await streamError(engine.model('m').predict(Array.from({ length: 4097 }, () => ({ x: new Float32Array(FEATURES) }))));
    expect(predictions.code).toBe('too_large');
  });

  it("an evaluation of another model's recording, or with a config of another input shape, is refused up front", async () => {
    const engine = await engines.open();
    await engine.createModel('a', smallConfig());
    await engine.createModel('b', smallConfig());
    const other = engine.model('b').recordingId;
    expect((await streamError(engine.evaluate({ model: 'a', recording: other, from: 'fresh', speed: 'max' }))).code).toBe('unknown_recording');
    const shape = await streamError(engine.evaluate({ model: 'a', from: 'fresh', speed: 'max', config: { inputShape: [4], classes: 3 } }));
    expect(shape.code).toBe('bad_config');
    expect(engine.evaluationList('a')).toEqual([]);
  });
});
