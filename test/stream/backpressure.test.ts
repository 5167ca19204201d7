import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { openStore } from '../../src/store/index.js';
import type { LiveModel } from '../../src/stream/live-model.js';
import type { Ack } from '../../src/stream/types.js';
import { codes, items, streamError, useEngines } from './helpers.js';

const MAX_QUEUE = 8;
const FEATURES = 128;

/** A model whose updates take long enough for a tight producer loop to outrun the learner. */
const slowConfig = {
  inputShape: [FEATURES],
  classes: 4,
  architecture: { name: 'mlp', numLayers: 2, numHidden: 256 },
  batch: { maxSize: 2, maxWaitMs: 5 },
  checkpoint: { everySamples: 0, everySeconds: 0, keepLast: 1, keepEvery: 0 },
};

/**
 * Sends `count` single-item learn requests as fast as the event loop allows (never waiting for
 * an answer), and checks at every ack that the learning queue is within its bound.
 */
async function flood(model: LiveModel, count: number): Promise<{ results: PromiseSettledResult<Ack[]>[]; maxQueued: number }> {
  let maxQueued = 0;
  const list = items(count, { features: FEATURES });
  const requests: Promise<PromiseSettledResult<Ack[]>>[] = [];
  for (const [i, item] of list.entries()) {
    requests.push(
      model.learn([item]).then(
        (value) => {
          maxQueued = Math.max(maxQueued, model.status().queued);
          return { status: 'fulfilled', value };
        },
        (reason: unknown) => ({ status: 'rejected', reason }),
      ),
    );
    if (i % 20 === 19) await new Promise((resolve) => setImmediate(resolve));
  }
  return { results: await Promise.all(requests), maxQueued };
}

/** Learn items in the model's recording. */
function recordedLearnItems(dataDir: string): number {
  const store = openStore(path.join(dataDir, 'sigprop.db'));
  try {
    return store.recordings.count(store.recordings.live('m').id, ['learn']);
  } finally {
    store.close();
  }
}

describe('backpressure: bounded queues, nothing accepted is dropped', () => {
  const engines = useEngines();

  it("overload 'reject': every item is acked or rejected with overloaded; the queue stays bounded; every acked item is learned", async () => {
    const dataDir = engines.dir();
    const engine = await engines.open({ dataDir, maxQueue: MAX_QUEUE, overload: 'reject' });
    await engine.createModel('m', slowConfig);
    const model = engine.model('m');
    const { results, maxQueued } = await flood(model, 400);

    const outcome = codes(results);
    const acked = outcome.filter((c) => c === 'ok').length;
    expect(new Set(outcome)).toEqual(new Set(['ok', 'overloaded']));
    expect(acked).toBeGreaterThan(0);
    expect(maxQueued).toBeLessThanOrEqual(MAX_QUEUE);
    const rejected = results.find((r) => r.status === 'rejected') as PromiseRejectedResult;
    expect(rejected.reason.message).toMatch(/the learning queue is full \(\d+ of 8 items waiting\); retry later/);

    // Seqs of the accepted items are 1..acked: nothing rejected was recorded.
    const seqs = results.flatMap((r) => (r.status === 'fulfilled' ? r.value.map((a) => a.seq) : []));
    expect(seqs).toEqual(Array.from({ length: acked }, (_, i) => i + 1));
    await model.drain();
    expect(model.status()).toMatchObject({ samples: acked, lastSeq: acked, queued: 0 });
    await engine.close();
    expect(recordedLearnItems(dataDir)).toBe(acked);
  });

  it("overload 'block': the producer is paused (acks wait for room) and every item is acked and learned", async () => {
    const dataDir = engines.dir();
    const engine = await engines.open({ dataDir, maxQueue: MAX_QUEUE, overload: 'block' });
    await engine.createModel('m', slowConfig);
    const model = engine.model('m');
    const { results, maxQueued } = await flood(model, 200);

    expect(codes(results).every((c) => c === 'ok')).toBe(true);
    expect(maxQueued).toBeLessThanOrEqual(MAX_QUEUE);
    const seqs = results.flatMap((r) => (r.status === 'fulfilled' ? r.value.map((a) => a.seq) : [])).sort((a, b) => a - b);
    expect(seqs).toEqual(Array.from({ length: 200 }, (_, i) => i + 1));
    await model.drain();
    expect(model.status()).toMatchObject({ samples: 200, lastSeq: 200, queued: 0 });
    await engine.close();
    expect(recordedLearnItems(dataDir)).toBe(200);
  });

  it('a single request larger than the queue is refused under either policy; resends after a full queue are acked as duplicates, not learned again', async () => {
    const engine = await engines.open({ maxQueue: MAX_QUEUE, overload: 'block' });
    await engine.createModel('m', slowConfig);
    const model = engine.model('m');
    const tooMany = await streamError(model.learn(items(MAX_QUEUE + 1, { features: FEATURES })));
    expect(tooMany.code).toBe('overloaded');
    expect(tooMany.message).toMatch(/9 items exceed the queue limit of 8; send fewer at once/);
    expect(model.status().lastSeq).toBe(0);

    const batch = items(MAX_QUEUE, { features: FEATURES });
    await model.learn(batch);
    await model.drain();
    // The queue fills with 8 new items; the 8 resends wait for room, then are acked as duplicates.
    await model.learn(items(MAX_QUEUE, { features: FEATURES, from: 100 }));
    const resent = await model.learn(batch);
    expect(resent.every((a) => a.duplicate)).toBe(true);
    await model.drain();
    expect(model.status().samples).toBe(16);
  });
});
