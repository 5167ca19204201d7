import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeFrame } from '../../src/server/ws/binary.js';
import { http, input, startServer, StreamClient, type TestServer } from './helpers.js';

/** Waits until the model has learned everything it accepted, and returns its status. */
async function settled(server: TestServer, model = 'default') {
  for (;;) {
    const status = server.engine.model(model).status();
    if (status.queued === 0) return status;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe('WebSocket stream (protocol v1)', () => {
  let server: TestServer;
  let client: StreamClient;

  beforeAll(async () => {
    server = await startServer();
    client = await StreamClient.open(server.url);
  });

  afterAll(async () => {
    await client?.close();
    await server?.dispose();
  });

  it('learn: acks after the commit with the item id and its seq; a resend is a duplicate', async () => {
    const ack = await client.request({ op: 'learn', id: 'learn-1', x: input(1), y: 3 });
    expect(ack).toEqual({ op: 'ack', id: 'learn-1', seq: expect.any(Number) });
    expect(server.engine.model('default').status().lastSeq).toBeGreaterThanOrEqual(ack.seq);
    const again = await client.request({ op: 'learn', id: 'learn-1', x: input(1), y: 3 });
    expect(again).toEqual({ op: 'ack', id: 'learn-1', seq: ack.seq, duplicate: true });
    const anonymous = await client.request({ op: 'learn', x: input(2), y: 4 });
    expect(anonymous).toEqual({ op: 'ack', seq: ack.seq + 1 });
  });

  it('predict: answers with predictionId, label, probs and step', async () => {
    const reply = await client.request({ op: 'predict', id: 'p-1', x: input(3) });
    expect(reply).toMatchObject({ op: 'prediction', id: 'p-1', predictionId: expect.any(String), step: expect.any(Number) });
    expect(reply.probs).toHaveLength(10);
    expect(reply.probs.reduce((a: number, b: number) => a + b, 0)).toBeCloseTo(1, 4);
    expect(reply.label).toBe(reply.probs.indexOf(Math.max(...reply.probs)));
  });

  it('label: a delayed label for a prediction is acked and learned', async () => {
    const before = await settled(server);
    const prediction = await client.request({ op: 'predict', id: 'p-2', x: input(4) });
    const ack = await client.request({ op: 'label', id: 'lab-1', predictionId: prediction.predictionId, y: 7 });
    expect(ack).toEqual({ op: 'ack', id: 'lab-1', seq: expect.any(Number) });
    await expect.poll(() => server.engine.model('default').status().samples, { timeout: 20_000 }).toBe(before.samples + 1);
  });

  it('replies of one op keep the order of their messages', async () => {
    for (let i = 0; i < 40; i++) client.send({ op: 'learn', id: `order-${i}`, x: input(100 + i), y: i % 10 });
    const acks = [];
    for (let i = 0; i < 40; i++) acks.push(await client.next());
    expect(acks.map((a) => a.id)).toEqual(Array.from({ length: 40 }, (_, i) => `order-${i}`));
    const seqs = acks.map((a) => a.seq);
    expect([...seqs].sort((a, b) => a - b)).toEqual(seqs);
  });

  it('refused messages of an op are answered in order with the accepted ones (clients without ids match by order)', async () => {
    for (let round = 0; round < 3; round++) {
      client.send({ op: 'learn', x: input(200 + round), y: 1 });
      client.send({ op: 'learn', x: input(210 + round), y: '1' });
      client.send({ op: 'learn', x: [1], y: 1 });
      client.send({ op: 'learn', x: input(220 + round), y: 2 });
    }
    const replies = [];
    for (let i = 0; i < 12; i++) replies.push(await client.next());
    expect(replies.map((r) => (r.op === 'ack' ? 'ack' : r.code))).toEqual(Array.from({ length: 3 }, () => ['ack', 'bad_label', 'bad_shape', 'ack']).flat());
  });

  it('binary frames: learn and predict batches of Float32 inputs, and labels', async () => {
    const items = Array.from({ length: 5 }, (_, i) => ({ id: `bin-${i}`, x: Float32Array.from(input(200 + i)), y: i }));
    client.send(encodeFrame({ op: 'learn', items }));
    const acks = [await client.next(), await client.next(), await client.next(), await client.next(), await client.next()];
    expect(acks.map((a) => [a.op, a.id])).toEqual(items.map((item) => ['ack', item.id]));
    expect(acks[4].seq - acks[0].seq).toBe(4);

    client.send(encodeFrame({ op: 'predict', items: [{ id: 'bp-0', x: Float32Array.from(input(300)) }, { x: Float32Array.from(input(301)) }] }));
    const [first, second] = [await client.next(), await client.next()];
    expect(first).toMatchObject({ op: 'prediction', id: 'bp-0' });
    expect(second.op).toBe('prediction');
    expect(second.id).toBeUndefined();

    client.send(encodeFrame({ op: 'label', items: [{ id: 'bl-0', predictionId: first.predictionId, y: 2 }] }));
    expect(await client.next()).toMatchObject({ op: 'ack', id: 'bl-0' });
  });

  it('a binary label frame above 4,096 items is refused as a whole with too_large (labels are handled one by one, the limit still holds)', async () => {
    const items = Array.from({ length: 4097 }, (_, i) => ({ id: `many-${i}`, predictionId: `not-a-prediction-${i}`, y: 1 }));
    client.send(encodeFrame({ op: 'label', items }));
    expect(await client.next()).toMatchObject({ op: 'error', code: 'too_large', message: '4097 items in one request; send at most 4096 at once' });
    expect(await client.request({ op: 'subscribe', id: 'still-open', topics: [] })).toEqual({ op: 'subscribed', id: 'still-open', topics: [] });
  });

  it('subscribe: streams the live metric windows', async () => {
    expect(await client.request({ op: 'subscribe', id: 's-1', topics: ['metrics'] })).toEqual({ op: 'subscribed', id: 's-1', topics: ['metrics'] });
    client.send(encodeFrame({ op: 'learn', items: Array.from({ length: 20 }, (_, i) => ({ x: Float32Array.from(input(400 + i)), y: i % 10 })) }));
    let event;
    for (;;) {
      const reply = await client.next(30_000);
      if (reply.op === 'metrics') {
        event = reply;
        break;
      }
    }
    expect(event).toMatchObject({ op: 'metrics', model: 'default', window: expect.any(Number), samples: expect.any(Number), step: expect.any(Number) });
    expect(event.layers.map((l: { layer: string }) => l.layer)).toContain('output');
    expect(await client.request({ op: 'subscribe', topics: [] })).toEqual({ op: 'subscribed', topics: [] });
    while (client.pending > 0) await client.next();
  });

  describe('bad input: a precise error, the connection stays open, nothing changes', () => {
    const x = input(9);
    const withValue = (i: number, v: number) => x.map((value, j) => (j === i ? v : value));
    const nanFrame = encodeFrame({ op: 'learn', items: [{ id: 'nan', x: Float32Array.from(withValue(7, Number.NaN)), y: 1 }] });
    const cases: Array<[string, object | string | Uint8Array | (() => void), Record<string, unknown>, RegExp]> = [
      ['bad_json', '{"op":"learn",', { code: 'bad_json' }, /JSON/],
      ['bad_json (not an object)', '[1,2]', { code: 'bad_json' }, /object/],
      ['bad_json (invalid UTF-8)', () => client.ws.send(Buffer.from([0x7b, 0xff, 0xfe, 0x7d]), { binary: false }), { code: 'bad_json' }, /JSON/],
      ['unknown_op', { op: 'fly', id: 'u-1' }, { code: 'unknown_op', id: 'u-1' }, /learn, predict, label, subscribe/],
      ['unknown_op (binary)', Uint8Array.from([1, 9, 0, 0, 1, 0, 0, 0]), { code: 'unknown_op' }, /op byte is 9/],
      ['missing_field (op)', { id: 'm-0', x }, { code: 'missing_field', id: 'm-0' }, /op is missing/],
      ['missing_field (y)', { op: 'learn', id: 'm-1', x }, { code: 'missing_field', id: 'm-1' }, /y is missing/],
      ['missing_field (x)', { op: 'predict', id: 'm-2' }, { code: 'missing_field', id: 'm-2' }, /x is missing/],
      ['missing_field (predictionId)', { op: 'label', id: 'm-3', y: 1 }, { code: 'missing_field', id: 'm-3' }, /predictionId is missing/],
      ['bad_shape (length)', { op: 'learn', id: 'b-1', x: [1, 2, 3], y: 1 }, { code: 'bad_shape', id: 'b-1' }, /3 values; expected 784/],
      ['bad_shape (type)', { op: 'learn', id: 'b-2', x: 'pixels', y: 1 }, { code: 'bad_shape', id: 'b-2' }, /x is the string/],
      ['bad_shape (element)', { op: 'predict', id: 'b-3', x: [...x.slice(1), 'a'] }, { code: 'bad_shape', id: 'b-3' }, /x\[783\]/],
      ['bad_shape (binary truncated)', Uint8Array.from([1, 1, 0, 0, 1, 0, 0, 0, 0, 0]), { code: 'bad_shape' }, /item 0 needs/],
      ['not_finite (JSON 1e999)', `{"op":"learn","id":"n-1","x":[${x.map((v, i) => (i === 5 ? '1e999' : v)).join(',')}],"y":1}`, { code: 'not_finite', id: 'n-1' }, /x\[5\] is Infinity/],
      ['not_finite (binary NaN)', nanFrame, { code: 'not_finite', id: 'nan', index: 0 }, /x\[7\] is NaN/],
      ['not_finite (beyond float32)', { op: 'predict', id: 'n-2', x: withValue(2, 1e39) }, { code: 'not_finite', id: 'n-2' }, /x\[2\].*float32/],
      ['bad_label (≥ classes)', { op: 'learn', id: 'l-1', x, y: 10 }, { code: 'bad_label', id: 'l-1' }, /\[0, 9\]/],
      ['bad_label (negative)', { op: 'learn', id: 'l-2', x, y: -1 }, { code: 'bad_label', id: 'l-2' }, /y/],
      ['bad_label (non-integer)', { op: 'learn', id: 'l-3', x, y: 2.5 }, { code: 'bad_label', id: 'l-3' }, /y/],
      ['bad_label (string)', { op: 'label', id: 'l-4', predictionId: 'p', y: '3' }, { code: 'bad_label', id: 'l-4' }, /y/],
      ['unknown_prediction', { op: 'label', id: 'up-1', predictionId: 'no-such-prediction', y: 1 }, { code: 'unknown_prediction', id: 'up-1' }, /no-such-prediction/],
      ['too_large', JSON.stringify({ op: 'learn', id: 'big', x: new Array(200_000).fill(0.123456), y: 1 }), { code: 'too_large' }, /limit is 1048576/],
    ];

    it.each(cases)('%s', async (_name, message, expected, text) => {
      await settled(server);
      const before = server.engine.model('default').status();
      if (typeof message === 'function') message();
      else client.send(message);
      const reply = await client.next();
      expect(reply).toMatchObject({ op: 'error', ...expected });
      expect(reply.message).toMatch(text);
      if (expected.id === undefined) expect(reply.id).toBeUndefined();
      expect(client.open).toBe(true);
      const after = await settled(server);
      expect([after.samples, after.step, after.lastSeq]).toEqual([before.samples, before.step, before.lastSeq]);
      expect(await client.request({ op: 'predict', id: 'still-open', x })).toMatchObject({ op: 'prediction', id: 'still-open' });
    });

    it('leaves the metrics and the recording untouched', async () => {
      const recorded = () => server.engine.recordings().find((r) => r.model === 'default')!.count;
      const count = recorded();
      const metricRows = server.engine.model('default').metrics({}).length;
      for (const [, message] of cases) if (typeof message !== 'function') client.send(message);
      for (let i = 0; i < cases.length - 1; i++) expect((await client.next()).op).toBe('error');
      await settled(server);
      expect(recorded()).toBe(count);
      expect(server.engine.model('default').metrics({}).length).toBe(metricRows);
      const prometheus = (await http(server.url, 'GET', '/metrics')).text;
      expect(prometheus).toMatch(/sigprop_errors_total\{code="bad_json",transport="ws"\} \d+/);
    });
  });

  it('unknown_model: the stream answers one error and closes with 4404', async () => {
    const stray = await StreamClient.open(server.url, 'no-such-model');
    expect(await stray.next()).toMatchObject({ op: 'error', code: 'unknown_model' });
    await expect.poll(() => stray.closeCode).toBe(4404);
  });
});

describe('WebSocket stream under overload (overload: reject)', () => {
  let server: TestServer;

  beforeAll(async () => {
    server = await startServer({ maxQueue: 4, overload: 'reject' });
  });

  afterAll(async () => {
    await server?.dispose();
  });

  it('answers overloaded explicitly and accepts nothing of the refused frame', async () => {
    const client = await StreamClient.open(server.url);
    const before = server.engine.model('default').status().lastSeq;
    const items = Array.from({ length: 5 }, (_, i) => ({ id: `o-${i}`, x: Float32Array.from(input(i)), y: i }));
    const reply = await client.request(encodeFrame({ op: 'learn', items }));
    expect(reply).toMatchObject({ op: 'error', code: 'overloaded' });
    expect(server.engine.model('default').status().lastSeq).toBe(before);

    // A burst larger than the queue: every message gets an ack or an explicit overloaded error.
    for (let i = 0; i < 60; i++) client.send({ op: 'learn', id: `burst-${i}`, x: input(i), y: i % 10 });
    const replies = [];
    for (let i = 0; i < 60; i++) replies.push(await client.next());
    const acked = replies.filter((r) => r.op === 'ack').length;
    const refused = replies.filter((r) => r.code === 'overloaded').length;
    expect(acked + refused).toBe(60);
    expect(acked).toBeGreaterThan(0);
    expect(server.engine.model('default').status().lastSeq).toBe(before + acked);
    expect(client.open).toBe(true);
    await client.close();
  });

  it('a graceful close answers every message it received, then closes streams with 1001', async () => {
    const client = await StreamClient.open(server.url);
    const answered = client.request({ op: 'predict', id: 'before-close', x: input(1) });
    expect(await answered).toMatchObject({ op: 'prediction' });
    for (let i = 0; i < 20; i++) client.send({ op: 'learn', id: `g-${i}`, x: input(i), y: 1 });
    const first = await client.next();
    const closing = server.close();
    const replies = [first];
    for (let i = 1; i < 20; i++) replies.push(await client.next());
    expect(replies.map((r) => r.id)).toEqual(Array.from({ length: 20 }, (_, i) => `g-${i}`));
    expect(replies.every((r) => r.op === 'ack' || ['overloaded', 'closed'].includes(r.code))).toBe(true);
    await closing;
    expect(client.closeCode).toBe(1001);
  });
});
