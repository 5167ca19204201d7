import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { http, startServer, type TestServer } from './helpers.js';

/** A small model so that the HTTP tests learn quickly. */
const TINY = {
  inputShape: [4],
  classes: 3,
  architecture: { name: 'mlp', numLayers: 1, numHidden: 16 },
  batch: { maxSize: 1, maxWaitMs: 0 },
};

const item = (i: number) => ({ id: `t-${i}`, x: [i % 3, 1, 0.5, -1], y: i % 3 });

describe('HTTP API (protocol v1)', () => {
  let server: TestServer;
  const call = (method: string, path: string, options: Parameters<typeof http>[3] = {}) => http(server.url, method, path, options);

  beforeAll(async () => {
    server = await startServer({ maxQueue: 50 });
  });

  afterAll(async () => {
    await server?.dispose();
  });

  it('GET /healthz and /v1/info', async () => {
    expect(await call('GET', '/healthz')).toMatchObject({ status: 200, body: { status: 'ok' } });
    const info = await call('GET', '/v1/info');
    expect(info.status).toBe(200);
    expect(info.body).toEqual({ name: 'sigprop-stream', version: expect.any(String), protocol: 1, backend: server.engine.backend, models: ['default'] });
  });

  it('creates the default model on an empty data dir (784 inputs, 10 classes)', async () => {
    const { status, body } = await call('GET', '/v1/models/default');
    expect(status).toBe(200);
    expect(body).toMatchObject({ name: 'default', samples: 0, step: 0, latestCheckpoint: null, config: { inputShape: [784], classes: 10 } });
  });

  it('POST /v1/models creates a model; duplicates, bad configs and bad names are refused', async () => {
    const created = await call('POST', '/v1/models', { body: { name: 'tiny', config: TINY } });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ name: 'tiny', samples: 0, config: { inputShape: [4], classes: 3 } });
    expect((await call('GET', '/v1/models')).body.map((m: { name: string }) => m.name).sort()).toEqual(['default', 'tiny']);

    expect(await call('POST', '/v1/models', { body: { name: 'tiny', config: TINY } })).toMatchObject({ status: 409, body: { code: 'duplicate_model' } });
    const bad = await call('POST', '/v1/models', { body: { name: 'broken', config: { ...TINY, classes: 1 } } });
    expect(bad).toMatchObject({ status: 400, body: { op: 'error', code: 'bad_config' } });
    expect(bad.body.message).toMatch(/classes/);
    expect(await call('POST', '/v1/models', { body: { name: 'no spaces', config: TINY } })).toMatchObject({ status: 400, body: { code: 'bad_shape' } });
    expect(await call('POST', '/v1/models', { body: { config: TINY } })).toMatchObject({ status: 400, body: { code: 'missing_field' } });
    expect(await call('GET', '/v1/models/nope')).toMatchObject({ status: 404, body: { code: 'unknown_model' } });
  });

  it('POST learn: one item → one ack, an array → acks in order', async () => {
    const one = await call('POST', '/v1/models/tiny/learn', { body: item(0) });
    expect(one).toMatchObject({ status: 200, body: { op: 'ack', id: 't-0', seq: 1 } });
    const many = await call('POST', '/v1/models/tiny/learn', { body: [item(1), item(2), item(3)] });
    expect(many.body).toEqual([
      { op: 'ack', id: 't-1', seq: 2 },
      { op: 'ack', id: 't-2', seq: 3 },
      { op: 'ack', id: 't-3', seq: 4 },
    ]);
    await expect.poll(async () => (await call('GET', '/v1/models/tiny')).body.samples, { timeout: 20_000 }).toBe(4);
  });

  it('POST predict and label (one item, an array with a failing label)', async () => {
    const prediction = await call('POST', '/v1/models/tiny/predict', { body: { id: 'q', x: [1, 2, 3, 4] } });
    expect(prediction.body).toMatchObject({ op: 'prediction', id: 'q', predictionId: expect.any(String), label: expect.any(Number), step: expect.any(Number) });
    expect(prediction.body.probs).toHaveLength(3);
    const two = await call('POST', '/v1/models/tiny/predict', { body: [{ x: [0, 0, 0, 0] }, { x: [1, 1, 1, 1] }] });
    expect(two.body.map((p: { op: string }) => p.op)).toEqual(['prediction', 'prediction']);

    const label = await call('POST', '/v1/models/tiny/label', { body: { id: 'lab', predictionId: prediction.body.predictionId, y: 2 } });
    expect(label.body).toMatchObject({ op: 'ack', id: 'lab', seq: expect.any(Number) });
    expect(await call('POST', '/v1/models/tiny/label', { body: { predictionId: prediction.body.predictionId, y: 2 } })).toMatchObject({
      status: 404,
      body: { code: 'unknown_prediction' },
    });
    const mixed = await call('POST', '/v1/models/tiny/label', {
      body: [
        { id: 'ok', predictionId: two.body[0].predictionId, y: 1 },
        { id: 'gone', predictionId: 'missing', y: 1 },
      ],
    });
    expect(mixed.body).toEqual([
      { op: 'ack', id: 'ok', seq: expect.any(Number) },
      { op: 'error', id: 'gone', code: 'unknown_prediction', message: expect.stringContaining('missing'), index: 1 },
    ]);
  });

  it('bad items: precise errors with the item id and index; nothing is accepted', async () => {
    const before = (await call('GET', '/v1/models/tiny')).body.lastSeq;
    const cases: Array<[unknown, number, Record<string, unknown>]> = [
      [{ id: 'a', x: [1, 2, 3], y: 0 }, 400, { code: 'bad_shape', id: 'a', message: 'x has 3 values; expected 4' }],
      [[item(10), { id: 'b', x: [1, 2, 3, 4], y: 3 }], 400, { code: 'bad_label', id: 'b', index: 1 }],
      [[item(11), { id: 'c', x: [1, 2, 3, 4] }], 400, { code: 'missing_field', id: 'c', index: 1 }],
      [{ id: 'd', x: [1, 'two', 3, 4], y: 0 }, 400, { code: 'bad_shape', id: 'd' }],
      [{ id: 'e', x: [1, 2, 3e39, 4], y: 0 }, 400, { code: 'not_finite', id: 'e' }],
      [[], 400, { code: 'bad_shape' }],
    ];
    for (const [body, status, expected] of cases) {
      const reply = await call('POST', '/v1/models/tiny/learn', { body });
      expect(reply.status, JSON.stringify(expected)).toBe(status);
      expect(reply.body).toMatchObject({ op: 'error', ...expected });
    }
    const infinite = await call('POST', '/v1/models/tiny/learn', { raw: '{"id":"f","x":[1,2,1e999,4],"y":0}' });
    expect(infinite.body).toMatchObject({ code: 'not_finite', id: 'f', message: expect.stringContaining('x[2] is Infinity') });
    expect(await call('POST', '/v1/models/tiny/learn', { raw: '{"x":[1,2' })).toMatchObject({ status: 400, body: { code: 'bad_json' } });
    expect(await call('POST', '/v1/models/tiny/learn', { raw: '' })).toMatchObject({ status: 400, body: { code: 'bad_json' } });
    expect(await call('POST', '/v1/models/tiny/learn', { raw: 'x=1', headers: { 'content-type': 'text/csv' } })).toMatchObject({ status: 400, body: { code: 'bad_json' } });
    expect(await call('POST', '/v1/models/tiny/learn', { raw: '{"x":[1,2,3,4],"y":0}', headers: { 'content-type': 'text/plain' } })).toMatchObject({ status: 400, body: { code: 'bad_json', message: expect.stringContaining('application/json') } });
    const huge = JSON.stringify({ x: new Array(300_000).fill(0.5), y: 0 });
    expect(await call('POST', '/v1/models/tiny/learn', { raw: huge })).toMatchObject({ status: 413, body: { code: 'too_large' } });
    expect(await call('POST', '/v1/models/nope/learn', { body: item(0) })).toMatchObject({ status: 404, body: { code: 'unknown_model' } });
    const overloaded = await call('POST', '/v1/models/tiny/learn', { body: Array.from({ length: 51 }, (_, i) => item(100 + i)) });
    expect(overloaded).toMatchObject({ status: 429, body: { code: 'overloaded' } });
    expect(await call('GET', '/v1/nothing-here')).toMatchObject({ status: 404, body: { code: 'not_found' } });
    expect((await call('GET', '/v1/models/tiny')).body.lastSeq).toBe(before);
  });

  it('GET metrics with layer, since and limit filters', async () => {
    await call('POST', '/v1/models/tiny/learn', { body: Array.from({ length: 20 }, (_, i) => item(200 + i)) });
    await expect.poll(async () => (await call('GET', '/v1/models/tiny/metrics')).body.length, { timeout: 20_000, interval: 250 }).toBeGreaterThan(0);
    const all = (await call('GET', '/v1/models/tiny/metrics')).body;
    expect(all[0]).toEqual({ window: expect.any(Number), time: expect.any(Number), layer: expect.any(String), loss: expect.any(Number), accuracy: expect.any(Number), samples: expect.any(Number) });
    const output = (await call('GET', '/v1/models/tiny/metrics?layer=output')).body;
    expect(output.length).toBeGreaterThan(0);
    expect(output.every((row: { layer: string }) => row.layer === 'output')).toBe(true);
    expect((await call('GET', '/v1/models/tiny/metrics?limit=1')).body).toHaveLength(1);
    expect((await call('GET', `/v1/models/tiny/metrics?since=${Date.now() + 60_000}`)).body).toEqual([]);
    expect(await call('GET', '/v1/models/tiny/metrics?limit=zero')).toMatchObject({ status: 400, body: { code: 'bad_shape' } });
  });

  it('checkpoints: write, list, restore', async () => {
    const written = await call('POST', '/v1/models/tiny/checkpoints', { body: { reason: 'test' } });
    expect(written).toMatchObject({ status: 201, body: { id: expect.any(Number), reason: 'test', step: expect.any(Number) } });
    const bare = await call('POST', '/v1/models/tiny/checkpoints');
    expect(bare).toMatchObject({ status: 201, body: { reason: 'manual' } });
    const list = (await call('GET', '/v1/models/tiny/checkpoints')).body;
    expect(list.map((c: { id: number }) => c.id)).toEqual(expect.arrayContaining([written.body.id, bare.body.id]));
    const restored = await call('POST', `/v1/models/tiny/checkpoints/${written.body.id}/restore`);
    expect(restored).toMatchObject({ status: 200, body: { reason: `restore:${written.body.id}`, step: written.body.step } });
    expect((await call('GET', '/v1/models/tiny')).body.latestCheckpoint).toMatchObject({ id: restored.body.id });
    expect(await call('POST', '/v1/models/tiny/checkpoints/999999/restore')).toMatchObject({ status: 404, body: { code: 'unknown_checkpoint' } });
    for (const id of [`${written.body.id}.5`, '1e2', '0x1', '%201']) {
      const refused = await call('POST', `/v1/models/tiny/checkpoints/${id}/restore`);
      expect(refused, id).toMatchObject({ status: 400, body: { code: 'bad_shape', message: expect.stringContaining('params.id') } });
    }
    expect((await call('GET', '/v1/models/tiny/metrics?limit=2.5')).body).toMatchObject({ code: 'bad_shape', message: expect.stringContaining('query.limit') });
    expect(await call('GET', '/v1/models/tiny/metrics?since=9007199254740992')).toMatchObject({ status: 400, body: { code: 'bad_shape', message: expect.stringContaining('query.since') } });
    const hugeRetention = await call('POST', '/v1/models', { body: { name: 'huge-keep', config: { inputShape: [4], classes: 3, checkpoint: { keepLast: 1e20 } } } });
    expect(hugeRetention).toMatchObject({ status: 400, body: { code: 'bad_config', message: expect.stringContaining('keepLast') } });
  });

  it('recordings and evaluations', async () => {
    const recordings = (await call('GET', '/v1/recordings')).body;
    const tiny = recordings.find((r: { model: string }) => r.model === 'tiny');
    expect(tiny).toMatchObject({ id: expect.any(Number), count: expect.any(Number) });
    const started = await call('POST', '/v1/evaluations', { body: { model: 'tiny', every: 5 } });
    expect(started).toMatchObject({ status: 202, body: { id: expect.any(Number), model: 'tiny', status: 'running' } });
    await expect.poll(async () => (await call('GET', `/v1/evaluations/${started.body.id}`)).body.status, { timeout: 60_000, interval: 200 }).toBe('done');
    const done = (await call('GET', `/v1/evaluations/${started.body.id}`)).body;
    expect(done.report).toMatchObject({ items: expect.any(Number), finalAccuracy: expect.any(Number) });
    expect(await call('GET', '/v1/evaluations/424242')).toMatchObject({ status: 404, body: { code: 'unknown_evaluation' } });
    expect(await call('POST', '/v1/evaluations', { body: { model: 'tiny', recording: 424242 } })).toMatchObject({ status: 404, body: { code: 'unknown_recording' } });
  });

  it('GET /metrics exposes Prometheus counters, histograms and model gauges', async () => {
    const { status, text, headers } = await call('GET', '/metrics');
    expect(status).toBe(200);
    expect(headers.get('content-type')).toMatch(/text\/plain/);
    expect(text).toMatch(/sigprop_items_total\{model="tiny",op="learn"\} \d+/);
    expect(text).toMatch(/sigprop_errors_total\{code="bad_shape",transport="http"\} \d+/);
    expect(text).toMatch(/sigprop_op_duration_seconds_bucket\{le="0.005",op="learn",transport="http"\} \d+/);
    expect(text).toMatch(/sigprop_model_samples\{model="tiny"\} \d+/);
  });

  it('serves the OpenAPI document and its UI at /docs', async () => {
    const doc = await call('GET', '/docs/json');
    expect(doc.status).toBe(200);
    expect(doc.body.openapi).toMatch(/^3\./);
    for (const path of ['/v1/models', '/v1/models/{model}/learn', '/v1/models/{model}/checkpoints/{id}/restore', '/v1/evaluations/{id}', '/metrics']) {
      expect(Object.keys(doc.body.paths)).toContain(path);
    }
    expect(doc.body.paths['/v1/models/{model}/learn'].post.requestBody).toBeDefined();
    const ui = await call('GET', '/docs/');
    expect(ui.status).toBe(200);
    expect(ui.text).toMatch(/swagger/i);
  });

  it('DELETE /v1/models/:model', async () => {
    expect((await call('DELETE', '/v1/models/tiny')).status).toBe(204);
    expect(await call('GET', '/v1/models/tiny')).toMatchObject({ status: 404, body: { code: 'unknown_model' } });
    expect(await call('DELETE', '/v1/models/tiny')).toMatchObject({ status: 404, body: { code: 'unknown_model' } });
  });
});
