import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { openStore } from '../../src/store/index.js';
import { fromConfig } from '../../src/sigprop/config/from-config.js';
import { readWeights } from '../../src/sigprop/classifier/weights.js';
import { deserialize } from '../../src/sigprop/serialize/index.js';
import type { Ack, LearnItem, MetricsEvent } from '../../src/stream/types.js';
import { FEATURES, items, smallConfig, useEngines } from './helpers.js';

/**
 * Learns `list` one update per item, in order, on a fresh classifier of `config` (the reference).
 * Returns its weights and its test-then-train score: how many pre-update predictions were right,
 * and their mean cross-entropy.
 */
function learnSequentially(config: Record<string, unknown>, list: readonly LearnItem[]): { weights: Float32Array[]; correct: number; loss: number } {
  const classifier = fromConfig(config);
  let correct = 0;
  let loss = 0;
  for (const item of list) {
    const x = tf.tensor(item.x, [1, FEATURES]);
    const y = tf.tensor1d([item.y], 'int32');
    const result = classifier.learn(x, y);
    const logits = Array.from(result.logits.dataSync());
    tf.dispose([x, y, result.logits, result.loss]);
    if (logits.indexOf(Math.max(...logits)) === item.y) correct += 1;
    const max = Math.max(...logits);
    loss += Math.log(logits.reduce((sum, v) => sum + Math.exp(v - max), 0)) + max - logits[item.y];
  }
  const weights = readWeights(classifier);
  classifier.dispose();
  return { weights, correct, loss: loss / list.length };
}

/** Largest |a − b| over every value of two lists of arrays of the same shapes. */
function maxAbsDiff(a: readonly Float32Array[], b: readonly Float32Array[]): number {
  expect(a.map((x) => x.length)).toEqual(b.map((x) => x.length));
  return Math.max(...a.map((x, i) => Math.max(...x.map((v, j) => Math.abs(v - b[i][j])))));
}

describe('learning: ordering, exactly once, adaptive micro-batching', () => {
  const engines = useEngines();

  it('N items in → N acked with seqs 1..N in order, N recorded, N learned; resends are acked as duplicates and not learned twice', async () => {
    const dataDir = engines.dir();
    const engine = await engines.open({ dataDir });
    await engine.createModel('m', smallConfig({ batch: { maxSize: 8, maxWaitMs: 5 } }));
    const model = engine.model('m');
    const all = items(240);

    // Calls of 1..5 items, all in flight at once.
    const calls: LearnItem[][] = [];
    for (let i = 0; i < all.length; ) {
      const n = 1 + (calls.length % 5);
      calls.push(all.slice(i, i + n));
      i += n;
    }
    const acks = (await Promise.all(calls.map((c) => model.learn(c)))).flat();
    expect(acks.map((a) => a.seq)).toEqual(all.map((_, i) => i + 1));
    expect(acks.map((a) => a.clientId)).toEqual(all.map((item) => item.clientId));
    expect(acks.every((a) => !a.duplicate)).toBe(true);

    // Resends: alone, in a batch with a new item, and twice in one call.
    const again = await model.learn([all[3]]);
    expect(again).toEqual<Ack[]>([{ clientId: all[3].clientId, seq: 4, duplicate: true }]);
    const [fresh] = items(1, { from: 240 });
    const mixed = await model.learn([all[100], fresh, fresh]);
    expect(mixed).toEqual<Ack[]>([
      { clientId: all[100].clientId, seq: 101, duplicate: true },
      { clientId: fresh.clientId, seq: 241, duplicate: false },
      { clientId: fresh.clientId, seq: 241, duplicate: true },
    ]);

    await model.drain();
    const status = model.status();
    expect(status.samples).toBe(241);
    expect(status.lastSeq).toBe(241);
    expect(status.queued).toBe(0);
    await engine.close();

    // The recording holds each item once, in ack order, with its input and label.
    const store = openStore(path.join(dataDir, 'sigprop.db'));
    try {
      const samples = store.recordings.read(store.recordings.live('m').id);
      const expected = [...all, fresh];
      expect(samples.map((s) => [s.seq, s.kind, s.clientId, s.label])).toEqual(expected.map((item, i) => [i + 1, 'learn', item.clientId, item.y]));
      expect(samples.every((s, i) => Buffer.from(s.x!.buffer, s.x!.byteOffset, s.x!.byteLength).equals(Buffer.from(expected[i].x.buffer)))).toBe(true);
      // The shutdown checkpoint covers everything; a restart re-learns nothing.
      expect(store.checkpoints.latest('m')).toMatchObject({ samples: 241, lastSeq: 241, reason: 'shutdown' });
    } finally {
      store.close();
    }
    const reopened = await engines.open({ dataDir });
    const after = reopened.model('m');
    await after.drain();
    expect(after.status()).toMatchObject({ samples: 241, step: status.step, queued: 0 });
  });

  it('learns in recording order, scoring each item before learning it: with maxSize 1 the weights and the prequential score equal a reference model learning the items one by one in seq order', async () => {
    const dataDir = engines.dir();
    const engine = await engines.open({ dataDir, metricsWindow: { samples: 1_000_000, ms: 3_600_000 } });
    const config = smallConfig({ batch: { maxSize: 1, maxWaitMs: 5 }, seed: 11 });
    await engine.createModel('m', config);
    const model = engine.model('m');
    const windows: MetricsEvent[] = [];
    model.metrics$.subscribe((e) => windows.push(e));
    const list = items(60, { seed: 3 });
    // Concurrent calls: the queue fills up, the learner drains it in seq order.
    const acks = (await Promise.all(list.map((item) => model.learn([item])))).flat();
    await model.drain();
    expect(model.status()).toMatchObject({ samples: 60, step: 60 });

    const bySeq = [...list].sort((a, b) => acks[list.indexOf(a)].seq - acks[list.indexOf(b)].seq);
    const reference = learnSequentially(config, bySeq);
    const checkpoint = await model.checkpoint();
    const store = openStore(path.join(dataDir, 'sigprop.db'));
    const live = deserialize(store.checkpoints.get(checkpoint.id).bytes);
    store.close();
    const weights = readWeights(live);
    live.dispose();
    // Equal up to float rounding (the learner thread may use other matrix kernels than this one)…
    expect(maxAbsDiff(weights, reference.weights)).toBeLessThan(1e-5);
    // …and far from learning the same items in another order: the comparison can tell.
    expect(maxAbsDiff(weights, learnSequentially(config, [...bySeq].reverse()).weights)).toBeGreaterThan(1e-3);

    // The one metrics window (closed at shutdown) holds every item's pre-update (prequential) score.
    await engine.close();
    expect(windows).toHaveLength(1);
    const output = windows[0].layers.find((l) => l.layer === 'output')!;
    expect(output.samples).toBe(60);
    expect(output.accuracy * 60).toBeCloseTo(reference.correct, 6);
    expect(output.loss).toBeCloseTo(reference.loss, 5);
  });

  it('an idle model updates on each item alone and at once; a busy one batches (never above maxSize)', async () => {
    const engine = await engines.open();
    await engine.createModel('m', smallConfig({ batch: { maxSize: 16, maxWaitMs: 5 } }));
    const model = engine.model('m');

    // Idle: each item is learned by itself, without waiting for company.
    for (const item of items(10, { prefix: 'idle-' })) {
      await model.learn([item]);
      await model.drain();
    }
    expect(model.status()).toMatchObject({ samples: 10, step: 10 });

    // Busy: 320 items arrive at once; the first update takes one, the rest go ≤ 16 at a time.
    await model.learn(items(320, { prefix: 'busy-' }));
    await model.drain();
    const { samples, step } = model.status();
    expect(samples).toBe(330);
    expect(step - 10).toBeGreaterThanOrEqual(1 + Math.ceil(319 / 16));
    expect(step - 10).toBeLessThan(100);
  });

  it('a loss that compares samples (v9) learns single items with partners from the replay buffer, even with maxSize 1', async () => {
    const engine = await engines.open();
    await engine.createModel(
      'm',
      smallConfig({
        signal: { kind: 'projection-context-input', targets: 'per-sample' },
        loss: { name: 'v9' },
        batch: { maxSize: 1, maxWaitMs: 5 },
        replay: { size: 8, mix: 0 },
      }),
    );
    const model = engine.model('m');
    const list = items(20);
    for (const item of list) await model.learn([item]);
    await model.drain();
    expect(model.status().samples).toBe(20);
    expect(model.status().queued).toBe(0);
    // Every update saw ≥ 2 rows, and each item counts once (replayed rows are not samples).
    expect(model.status().step).toBeGreaterThanOrEqual(10);
    expect(model.status().step).toBeLessThanOrEqual(20);
  });

  it('a lone item of a batch loss (v14) with nothing to replay is learned after batch.maxWaitMs, paired with itself', async () => {
    const engine = await engines.open();
    await engine.createModel(
      'm',
      smallConfig({
        signal: { kind: 'projection-context-input', targets: 'per-sample' },
        loss: { name: 'v14' },
        batch: { maxSize: 8, maxWaitMs: 50 },
      }),
    );
    const model = engine.model('m');
    const [ack] = await model.learn([items(1)[0]]);
    expect(ack.seq).toBe(1);
    await model.drain();
    expect(model.status()).toMatchObject({ samples: 1, step: 1, queued: 0 });
  });
});
