import { describe, it, expect } from 'vitest';
import type { Worker } from 'node:worker_threads';
import type { LiveModel } from '../../src/stream/live-model.js';
import { useEngines, smallConfig, items, sleep } from './helpers.js';

/** Fault injection: one of the model's learner threads (its first pipeline stage), as the OS would kill it. */
function learnerThread(model: LiveModel): Worker {
  return (model as unknown as { learner: { pipeline: { workers: Worker[] } } }).learner.pipeline.workers[0];
}

/** Fault injection: the model's prediction thread. */
function predictionThread(model: LiveModel): Worker {
  return (model as unknown as { predictor: { worker: Worker } }).predictor.worker;
}

describe('learner failure', () => {
  const engines = useEngines();

  it('a crashed learner thread (one stage of a 2-thread pipeline) is restarted from the latest checkpoint; every acked item is learned once', async () => {
    const engine = await engines.open({ learnerThreads: 2 });
    await engine.createModel('m', smallConfig());
    const first = engine.model('m');
    await first.learn(items(30));
    await first.drain();
    await first.checkpoint();
    await first.learn(items(20, { from: 30 }));
    await first.drain();

    await learnerThread(first).terminate();
    // The next update meets the dead thread: the model stops and the engine restarts it.
    await first.learn(items(10, { from: 50 }));
    await expect.poll(() => engine.model('m') !== first, { timeout: 30_000 }).toBe(true);
    const restarted = engine.model('m');
    await restarted.drain();
    // 30 from the checkpoint, then the 30 recorded after it learned again from the recording.
    expect(restarted.status()).toMatchObject({ samples: 60, lastSeq: 60, queued: 0 });
    expect((await restarted.learn(items(5, { from: 60 }))).map((a) => a.seq)).toEqual([61, 62, 63, 64, 65]);
    await restarted.drain();
    expect(restarted.status().samples).toBe(65);
  });

  it('a model whose learner keeps failing is left stopped (requests get closed) instead of restarting in a loop', async () => {
    const engine = await engines.open();
    await engine.createModel('m', smallConfig());
    for (let round = 0; round < 4; round++) {
      const model = engine.model('m');
      await learnerThread(model).terminate();
      await model.learn(items(1, { from: round })).catch(() => undefined);
      await sleep(round < 3 ? 0 : 500);
      if (round < 3) await expect.poll(() => engine.model('m') !== model, { timeout: 30_000 }).toBe(true);
    }
    await expect(engine.model('m').learn(items(1, { from: 10 }))).rejects.toMatchObject({ code: 'closed' });
  });

  it('a crashed prediction thread stops the model and the engine restarts it: nothing acked is lost and predictions are answered again', async () => {
    const engine = await engines.open({ metricsWindow: { samples: 5, ms: 60_000 } });
    await engine.createModel('m', smallConfig());
    const first = engine.model('m');
    const windows: Array<{ window: number }> = [];
    engine.metrics$('m').subscribe((event) => windows.push(event));
    await first.learn(items(20));
    await first.drain();

    await predictionThread(first).terminate();
    // A prediction meeting the dead thread is refused as closed (retry after the restart), not lost or left hanging.
    await expect(first.predict([{ x: items(1)[0].x }])).rejects.toMatchObject({ code: 'closed', message: expect.stringMatching(/retry after it restarts/) });
    await expect.poll(() => engine.model('m') !== first, { timeout: 30_000 }).toBe(true);
    const restarted = engine.model('m');
    await restarted.drain();
    expect(restarted.status()).toMatchObject({ samples: 20, lastSeq: 20, queued: 0 });
    const predict = async () => (await restarted.predict([{ x: items(1)[0].x }]))[0];
    // The new prediction thread follows the new learner (snapshots come within maxStalenessMs).
    await expect.poll(async () => (await predict()).step, { timeout: 5_000 }).toBe(restarted.status().step);
    expect((await predict()).probs.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 5);
    // A metrics subscription made before the crash follows the restarted model.
    const before = windows.length;
    await restarted.learn(items(10, { from: 20 }));
    await restarted.drain();
    await expect.poll(() => windows.length).toBeGreaterThan(before);
  });
});
