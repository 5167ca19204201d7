import { describe, expect, it } from 'vitest';
import type { Engine } from '../../src/stream/engine.js';
import type { LiveModel } from '../../src/stream/live-model.js';
import type { LearnItem, PredictItem, LabelItem } from '../../src/stream/types.js';
import { FEATURES, input, items, smallConfig, streamError, useEngines } from './helpers.js';

/** Everything a failed request must leave as it was. */
function snapshot(engine: Engine, model: LiveModel) {
  const { samples, step, lastSeq, queued, pendingPredictions, latestCheckpoint } = model.status();
  return { samples, step, lastSeq, queued, pendingPredictions, latestCheckpoint, recordings: engine.recordings(), models: engine.models().length };
}

const good = (i = 0): LearnItem => items(1, { from: i, prefix: 'good-' })[0];
const withX = (x: unknown): LearnItem => ({ ...good(), x: x as Float32Array });
const withY = (y: unknown): LearnItem => ({ ...good(), y: y as number });

describe('validation: bad requests get the right StreamError and change nothing', () => {
  const engines = useEngines();

  it('learn, predict and label reject bad items with precise codes, messages and item indices', async () => {
    const engine = await engines.open();
    await engine.createModel('m', smallConfig());
    const model = engine.model('m');
    await model.learn(items(5));
    const [prediction] = await model.predict([{ x: input() }]);
    await model.drain();
    const before = snapshot(engine, model);

    const learnCases: Array<[LearnItem[], string, number | undefined, RegExp]> = [
      [[withX(new Array(FEATURES - 1).fill(0))], 'bad_shape', 0, /x has 15 values; expected 16/],
      [[withX('1,2,3')], 'bad_shape', 0, /x is the string "1,2,3"; expected an array of 16 numbers/],
      [[withX([...new Array(FEATURES - 1).fill(0), 'a'])], 'bad_shape', 0, /x\[15\] is the string "a"; expected a number/],
      [[withX(Float32Array.from({ length: FEATURES }, (_, i) => (i === 3 ? Number.NaN : 0)))], 'not_finite', 0, /x\[3\] is NaN/],
      [[withX(Array.from({ length: FEATURES }, (_, i) => (i === 5 ? Number.POSITIVE_INFINITY : 0)))], 'not_finite', 0, /x\[5\] is Infinity/],
      [[withX(Array.from({ length: FEATURES }, (_, i) => (i === 7 ? 1e39 : 0)))], 'not_finite', 0, /x\[7\] is 1e\+39 \(beyond float32 range\)/],
      [[withX(Array.from({ length: FEATURES }, (_, i) => (i === 2 ? -3.4e38 : 0)))], 'not_finite', 0, /x\[2\] is -3.4e\+38 \(its square overflows float32/],
      [[withX(undefined)], 'missing_field', 0, /x is missing/],
      [[withY(undefined)], 'missing_field', 0, /y is missing/],
      [[withY(4)], 'bad_label', 0, /y is 4; expected an integer label in \[0, 3\]/],
      [[withY(-1)], 'bad_label', 0, /y is -1/],
      [[withY(1.5)], 'bad_label', 0, /y is 1.5/],
      [[withY('1')], 'bad_label', 0, /y is the string "1"/],
      [[{ ...good(), clientId: 'x'.repeat(129) }], 'bad_shape', 0, /id is the string/],
      [[{ ...good(), clientId: 7 as unknown as string }], 'bad_shape', 0, /id is 7/],
      // In a batch the message and index name the offending item; the good ones are not accepted either.
      [[good(1), good(2), withY(9)], 'bad_label', 2, /items\[2\]\.y is 9/],
      [[good(3), withX([1, 2]), good(4)], 'bad_shape', 1, /items\[1\]\.x has 2 values/],
    ];
    for (const [request, code, index, message] of learnCases) {
      const error = await streamError(model.learn(request));
      expect({ code: error.code, index: error.index }, error.message).toEqual({ code, index });
      expect(error.message).toMatch(message);
    }

    const predictCases: Array<[PredictItem[], string, number]> = [
      [[{ x: [1, 2, 3] as unknown as Float32Array }], 'bad_shape', 0],
      [[{ x: input() }, { x: undefined as unknown as Float32Array }], 'missing_field', 1],
      [[{ x: input() }, { x: input() }, { x: new Float32Array(FEATURES).fill(Number.NaN) }], 'not_finite', 2],
    ];
    for (const [request, code, index] of predictCases) {
      const error = await streamError(model.predict(request));
      expect({ code: error.code, index: error.index }, error.message).toEqual({ code, index });
    }

    const labelCases: Array<[LabelItem[], string, number]> = [
      [[{ predictionId: undefined as unknown as string, y: 1 }], 'missing_field', 0],
      [[{ predictionId: 'no-such-prediction', y: 1 }], 'unknown_prediction', 0],
      [[{ predictionId: 42 as unknown as string, y: 1 }], 'unknown_prediction', 0],
      [[{ predictionId: prediction.predictionId, y: 7 }], 'bad_label', 0],
      [[{ predictionId: prediction.predictionId, y: undefined as unknown as number }], 'missing_field', 0],
    ];
    for (const [request, code, index] of labelCases) {
      const error = await streamError(model.label(request));
      expect({ code: error.code, index: error.index }, error.message).toEqual({ code, index });
    }

    await model.drain();
    expect(snapshot(engine, model)).toEqual(before);
    // The prediction a rejected label named is still pending: a correct label is accepted.
    const [ack] = await model.label([{ predictionId: prediction.predictionId, y: 2 }]);
    expect(ack).toMatchObject({ seq: before.lastSeq + 1, duplicate: false });
    await model.drain();
    expect(model.status().samples).toBe(before.samples + 1);
  });

  it('engine requests: unknown model, bad or duplicate config, unknown checkpoint, recording and evaluation; all without a trace', async () => {
    const engine = await engines.open();
    await engine.createModel('m', smallConfig());
    const model = engine.model('m');
    await model.learn(items(3));
    await model.drain();
    const before = snapshot(engine, model);

    expect(() => engine.model('nope')).toThrowError(expect.objectContaining({ code: 'unknown_model', message: expect.stringMatching(/no model named 'nope'; known: m/) }));
    const badConfig = await streamError(engine.createModel('n', smallConfig({ classes: 1, architecture: { name: 'mlp', numHidden: 0 } })));
    expect(badConfig.code).toBe('bad_config');
    expect(badConfig.message).toMatch(/\/classes/);
    expect(badConfig.message).toMatch(/\/architecture/);
    expect((await streamError(engine.createModel('m', smallConfig()))).code).toBe('duplicate_model');
    expect((await streamError(engine.createModel('bad name!', smallConfig()))).code).toBe('bad_shape');
    expect((await streamError(model.restore(9999))).code).toBe('unknown_checkpoint');
    expect((await streamError(engine.evaluate({ model: 'm', from: 'fresh', speed: 'max', recording: 9999 }))).code).toBe('unknown_recording');
    expect((await streamError(engine.evaluate({ model: 'm', from: 9999, speed: 'max' }))).code).toBe('unknown_checkpoint');
    expect((await streamError(engine.evaluate({ model: 'm', from: 'fresh', speed: 'max', config: { classes: 'many' } }))).code).toBe('bad_config');
    expect((await streamError(engine.evaluate({ model: 'nope', from: 'fresh', speed: 'max' }))).code).toBe('unknown_model');
    expect(() => engine.evaluation(4242)).toThrowError(expect.objectContaining({ code: 'unknown_evaluation' }));

    expect(snapshot(engine, model)).toEqual(before);
    expect(engine.models().map((m) => m.name)).toEqual(['m']);
  });

  it('a checkpoint id of another model is unknown to this one', async () => {
    const engine = await engines.open();
    await engine.createModel('a', smallConfig());
    await engine.createModel('b', smallConfig());
    const theirs = await engine.model('b').checkpoint();
    const before = snapshot(engine, engine.model('a'));
    expect((await streamError(engine.model('a').restore(theirs.id))).code).toBe('unknown_checkpoint');
    expect((await streamError(engine.evaluate({ model: 'a', from: theirs.id, speed: 'max' }))).code).toBe('unknown_checkpoint');
    expect(snapshot(engine, engine.model('a'))).toEqual(before);
  });

  it('after close every request fails with closed', async () => {
    const engine = await engines.open();
    await engine.createModel('m', smallConfig());
    const model = engine.model('m');
    await engine.close();
    expect((await streamError(model.learn(items(1)))).code).toBe('closed');
    expect((await streamError(model.predict([{ x: input() }]))).code).toBe('closed');
    expect((await streamError(model.label([{ predictionId: 'p', y: 1 }]))).code).toBe('closed');
    expect((await streamError(engine.createModel('n', smallConfig()))).code).toBe('closed');
  });
});
