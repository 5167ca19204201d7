import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { openStore } from '../../src/store/index.js';
import type { LiveModel } from '../../src/stream/live-model.js';
import type { Prediction } from '../../src/stream/types.js';
import { committed, input, items, sleep, smallConfig, until, useEngines } from './helpers.js';

/** Predicts `x` until the answer reflects exactly `step` (the learner publishes within maxStalenessMs). */
async function predictAtStep(model: LiveModel, x: Float32Array, step: number): Promise<Prediction> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const [p] = await model.predict([{ x }]);
    if (p.step === step) return p;
    if (Date.now() > deadline) throw new Error(`predictions stayed at step ${p.step}; expected ${step}`);
    await sleep(10);
  }
}

/** The store's view of a model's checkpoints (with ordinals), read through a second connection. */
function storedCheckpoints(dataDir: string, model: string) {
  const store = openStore(path.join(dataDir, 'sigprop.db'));
  try {
    return store.checkpoints.list(model);
  } finally {
    store.close();
  }
}

describe('checkpoints: periodic, on request, on shutdown, restored on start, rollback, retention', () => {
  const engines = useEngines();

  it('are written every N samples, on request and on shutdown; each covers exactly the items up to its lastSeq; the latest is restored on start', async () => {
    const dataDir = engines.dir();
    const engine = await engines.open({ dataDir });
    await engine.createModel('m', smallConfig({ batch: { maxSize: 4, maxWaitMs: 5 }, checkpoint: { everySamples: 20, everySeconds: 0, keepLast: 100, keepEvery: 0 } }));
    const model = engine.model('m');
    for (const chunk of [items(30), items(30, { from: 30 }), items(40, { from: 60 })]) {
      await model.learn(chunk);
      await model.drain();
    }
    // On request, while items are still queued: it covers what was handed to the learner.
    void model.learn(items(50, { from: 100 }));
    await committed();
    const manual = await model.checkpoint();
    expect(manual.reason).toBe('manual');
    expect(manual.samples).toBe(manual.lastSeq); // only learn items: sample k has seq k
    await model.drain();
    const { samples, step } = model.status();
    expect(samples).toBe(150);
    const x = input(4);
    const before = await predictAtStep(model, x, step);
    await engine.close();

    const list = storedCheckpoints(dataDir, 'm');
    const periodic = list.filter((c) => c.reason === 'periodic');
    // A periodic checkpoint covers every batch handed to the learner when it is due (up to one
    // per pipeline stage plus one more in flight), so the 100 samples give at least 4.
    expect(periodic.length).toBeGreaterThanOrEqual(4);
    let previous = 0;
    for (const c of periodic) {
      expect(c.samples).toBe(c.lastSeq);
      expect(c.samples - previous).toBeGreaterThanOrEqual(20);
      expect(c.samples - previous).toBeLessThan(20 + 4 * 4 + 30); // due after the batch that crossed the mark (plus the batches in flight and learned meanwhile)
      previous = c.samples;
    }
    expect(list.at(-1)).toMatchObject({ reason: 'shutdown', samples: 150, lastSeq: 150, step });
    expect(list.map((c) => c.ordinal)).toEqual(list.map((_, i) => i + 1));

    // Restored on start: same counters, same answers, nothing re-learned.
    const reopened = await engines.open({ dataDir });
    const again = reopened.model('m');
    await again.drain();
    expect(again.status()).toMatchObject({ samples: 150, step, latestCheckpoint: { reason: 'shutdown' } });
    expect((await predictAtStep(again, x, step)).probs).toEqual(before.probs);
    expect(again.checkpoints().map((c) => c.id)).toEqual(list.map((c) => c.id));
  });

  it('are written every T seconds once something was learned, also when the stream pauses', async () => {
    const engine = await engines.open();
    await engine.createModel('m', smallConfig({ checkpoint: { everySamples: 0, everySeconds: 0.5, keepLast: 100, keepEvery: 0 } }));
    const model = engine.model('m');
    await model.learn(items(5));
    await model.drain();
    // No more items: the timer alone must save what was learned.
    await until(() => model.checkpoints().some((c) => c.samples === 5), 5_000, 'a periodic checkpoint of all 5 samples');
    expect(model.checkpoints().every((c) => c.reason === 'periodic')).toBe(true);
    const count = model.checkpoints().length;
    await sleep(1200);
    expect(model.checkpoints()).toHaveLength(count); // nothing learned since: nothing new to save
  });

  // With a 2-thread learner: a rollback restores every pipeline stage.
  it('restore(id) rolls the learner and the predictions back, keeps the rollback over a restart and does not re-learn what it skipped', async () => {
    const dataDir = engines.dir();
    const engine = await engines.open({ dataDir, maxStalenessMs: 20, learnerThreads: 2 });
    await engine.createModel('m', smallConfig({ batch: { maxSize: 1, maxWaitMs: 5 } }));
    const model = engine.model('m');
    const x = input(6);
    await model.learn(items(30));
    await model.drain();
    const a = await model.checkpoint();
    const atA = await predictAtStep(model, x, a.step);
    const acksB = await model.learn(items(30, { from: 30 }));
    await model.drain();
    const b = await model.checkpoint();
    const atB = await predictAtStep(model, x, b.step);
    expect(b).toMatchObject({ samples: 60, step: 60, lastSeq: acksB.at(-1)!.seq });
    expect(atB.probs).not.toEqual(atA.probs);

    const restored = await model.restore(a.id);
    expect(restored).toMatchObject({ reason: `restore:${a.id}`, samples: 30, step: 30, lastSeq: b.lastSeq });
    expect(model.status()).toMatchObject({ samples: 30, step: 30 });
    const rolledBack = await predictAtStep(model, x, 30);
    expect(rolledBack.probs).toEqual(atA.probs);

    // Learning continues from A; the old checkpoints stay listed.
    await model.learn(items(10, { from: 60 }));
    await model.drain();
    const { lastSeq } = model.status();
    expect(model.status()).toMatchObject({ samples: 40, step: 40 });
    expect(model.checkpoints().map((c) => c.id)).toEqual([a.id, b.id, restored.id]);
    await engine.close();

    const reopened = await engines.open({ dataDir });
    const again = reopened.model('m');
    await again.drain();
    expect(again.status()).toMatchObject({ samples: 40, step: 40, lastSeq });

    // Rolling forward works too: learn on to step 60 on this branch, then back to B (also step 60).
    await again.learn(items(20, { from: 70 }));
    await again.drain();
    const branch = await predictAtStep(again, x, 60);
    expect(branch.probs).not.toEqual(atB.probs);
    await again.restore(b.id);
    expect(again.status()).toMatchObject({ samples: 60, step: 60 });
    await sleep(100); // the learner publishes the restored weights at once
    expect((await predictAtStep(again, x, 60)).probs).toEqual(atB.probs);
  });

  it('retention keeps the last K plus every M-th (by position in the model history), atomically with each save', async () => {
    const dataDir = engines.dir();
    const engine = await engines.open({ dataDir });
    await engine.createModel('m', smallConfig({ checkpoint: { everySamples: 0, everySeconds: 0, keepLast: 2, keepEvery: 3 } }));
    const model = engine.model('m');
    const written = [];
    for (let i = 0; i < 8; i++) {
      await model.learn(items(1, { from: i }));
      await model.drain();
      written.push(await model.checkpoint());
      const kept = storedCheckpoints(dataDir, 'm').map((c) => c.ordinal);
      const n = i + 1;
      const expected = [...new Set([...Array.from({ length: n }, (_, k) => k + 1).filter((o) => o % 3 === 0), ...[n - 1, n].filter((o) => o >= 1)])].sort((p, q) => p - q);
      expect(kept).toEqual(expected);
    }
    expect(model.checkpoints().map((c) => c.samples)).toEqual([3, 6, 7, 8]);
    expect(model.status().latestCheckpoint?.id).toBe(written.at(-1)!.id);
    await engine.close(); // the shutdown checkpoint is the 9th
    expect(storedCheckpoints(dataDir, 'm').map((c) => [c.ordinal, c.reason])).toEqual([
      [3, 'manual'],
      [6, 'manual'],
      [8, 'manual'],
      [9, 'shutdown'],
    ]);
  });
});
