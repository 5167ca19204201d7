import path from 'node:path';
import { lastValueFrom, toArray } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { openStore } from '../../src/store/index.js';
import type { Engine } from '../../src/stream/engine.js';
import type { EvaluationReport, EvaluationRequest, EvaluationStatus } from '../../src/stream/types.js';
import { committed, input, items, sleep, smallConfig, useEngines } from './helpers.js';

/** Waits until an evaluation is no longer running; returns its final status. */
async function finished(engine: Engine, id: number): Promise<EvaluationStatus> {
  for (;;) {
    const status = engine.evaluation(id);
    if (status.status !== 'running') return status;
    await sleep(25);
  }
}

/** Starts an evaluation and returns its final status and every progress update it published. */
async function evaluate(engine: Engine, request: EvaluationRequest): Promise<{ final: EvaluationStatus; updates: EvaluationStatus[] }> {
  const started = await engine.evaluate(request);
  expect(started.status).toBe('running');
  const progress$ = engine.evaluationProgress(started.id);
  expect(progress$).not.toBeNull();
  const updates = await lastValueFrom(progress$!.pipe(toArray()));
  return { final: await finished(engine, started.id), updates };
}

/** A report without its timing figures (the only ones that may differ between two runs). */
function withoutTiming(report: EvaluationReport | null) {
  expect(report).not.toBeNull();
  const { throughput, wallMs, ...rest } = report!;
  expect(throughput).toBeGreaterThan(0);
  expect(wallMs).toBeGreaterThan(0);
  return rest;
}

const CONFIG = smallConfig({
  architecture: { name: 'mlp', numLayers: 2, numHidden: 16, dropout: 0.1 },
  batch: { maxSize: 4, maxWaitMs: 5 },
  replay: { size: 16, mix: 2 },
});

describe('evaluation: replaying a recording into a separate model', () => {
  const engines = useEngines();

  it('same recording + same checkpoint + same seed → the same report; the live model is not touched; progress is observable', async () => {
    const dataDir = engines.dir();
    const engine = await engines.open({ dataDir, maxStalenessMs: 10 });
    await engine.createModel('m', CONFIG);
    const model = engine.model('m');
    await model.learn(items(60));
    await model.drain();
    const checkpoint = await model.checkpoint();
    await model.learn(items(140, { from: 60 }));
    // Delayed labels are learnable items of the recording too.
    const predictions = await model.predict([1, 2, 3, 4, 5].map((seed) => ({ x: input(seed) })));
    await model.label(predictions.map((p, i) => ({ predictionId: p.predictionId, y: i % 4 })));
    await model.drain();
    await sleep(50);
    const x = input(42);
    const [liveBefore] = await model.predict([{ x }]);
    await committed(); // the prediction is recorded
    const statusBefore = model.status();
    const checkpointsBefore = model.checkpoints();

    // Two replays from the checkpoint, at once (fresh starts are compared in the 'recorded' pace test).
    const request: EvaluationRequest = { model: 'm', from: checkpoint.id, speed: 'max', every: 20 };
    const [a, b] = await Promise.all([evaluate(engine, request), evaluate(engine, request)]);
    for (const run of [a, b]) expect(run.final).toMatchObject({ status: 'done', progress: 1, error: null });
    expect(withoutTiming(a.final.report)).toEqual(withoutTiming(b.final.report));

    // The report: all 205 learnable items (not the 6 predictions), a point every 20, per-layer metrics.
    const report = a.final.report!;
    expect(report.items).toBe(205);
    expect(report.curve.map((p) => p.items)).toEqual([...Array.from({ length: 10 }, (_, i) => 20 * (i + 1)), 205]);
    expect(report.finalAccuracy).toBe(report.curve.at(-1)!.accuracy);
    expect(report.layers.find((l) => l.layer === 'output')).toMatchObject({ samples: 205 });
    expect(report.layers.length).toBeGreaterThanOrEqual(3);

    // Progress: running updates that grow to 1, then done with the report.
    const running = a.updates.filter((u) => u.status === 'running').map((u) => u.progress);
    expect(running.length).toBeGreaterThan(5);
    expect(running).toEqual([...running].sort((p, q) => p - q));
    expect(running.every((p) => p > 0 && p <= 1)).toBe(true);
    expect(a.updates.at(-1)).toEqual(a.final);

    // The live model: same counters, checkpoints, recording, weights.
    await sleep(50);
    const [liveAfter] = await model.predict([{ x }]);
    expect(liveAfter.step).toBe(liveBefore.step);
    expect(liveAfter.probs).toEqual(liveBefore.probs);
    await committed();
    const statusAfter = model.status();
    // The same but for the one prediction just made.
    expect({ ...statusAfter, lastSeq: statusAfter.lastSeq - 1, pendingPredictions: statusAfter.pendingPredictions - 1 }).toEqual(statusBefore);
    expect(model.checkpoints()).toEqual(checkpointsBefore);
    await engine.close();

    // The reports are stored.
    const store = openStore(path.join(dataDir, 'sigprop.db'));
    try {
      const stored = store.evaluations.list().find((e) => e.id === a.final.id)!;
      expect(stored).toMatchObject({ status: 'done', model: 'm', from: { checkpointId: checkpoint.id } });
      expect(stored.report).toEqual(a.final.report);
    } finally {
      store.close();
    }
  });

  it('replays the recording as it was when requested, even while the live model keeps recording', async () => {
    const engine = await engines.open();
    await engine.createModel('m', CONFIG);
    const model = engine.model('m');
    await model.learn(items(40));
    const started = await engine.evaluate({ model: 'm', from: 'fresh', speed: 'max', every: 10 });
    const progress$ = engine.evaluationProgress(started.id)!;
    const updates = lastValueFrom(progress$.pipe(toArray()));
    await model.learn(items(30, { from: 40 })); // recorded before the replay's learner is even up
    const all = await updates;
    const final = await finished(engine, started.id);
    expect(final.status).toBe('done');
    expect(final.report!.items).toBe(40);
    expect(final.report!.curve.at(-1)!.items).toBe(40);
    expect(all.every((u) => u.progress <= 1)).toBe(true);
  });

  it('a loss that compares samples (v9) replays with maxSize 1', async () => {
    const engine = await engines.open();
    const config = smallConfig({
      signal: { kind: 'projection-context-input', targets: 'per-sample' },
      loss: { name: 'v9' },
      batch: { maxSize: 1, maxWaitMs: 5 },
      replay: { size: 8, mix: 0 },
    });
    await engine.createModel('m', config);
    const model = engine.model('m');
    await model.learn(items(21));
    await model.drain();
    expect(model.status().samples).toBe(21);
    const { final } = await evaluate(engine, { model: 'm', from: 'fresh', speed: 'max', every: 7 });
    expect(final).toMatchObject({ status: 'done', error: null });
    expect(final.report!.items).toBe(21);
  });

  it("at speed 'recorded' the replay keeps the recording's pace; from a fresh model too, the same recording gives the same report", async () => {
    const engine = await engines.open();
    await engine.createModel('m', CONFIG);
    const model = engine.model('m');
    for (let i = 0; i < 3; i++) {
      if (i > 0) await sleep(300);
      await model.learn(items(8, { from: 8 * i }));
    }
    const span = engine.recordings()[0];
    expect(span.lastTime! - span.firstTime!).toBeGreaterThanOrEqual(600);
    const recorded = await evaluate(engine, { model: 'm', from: 'fresh', speed: 'recorded', every: 8 });
    const fast = await evaluate(engine, { model: 'm', from: 'fresh', speed: 'max', every: 8 });
    expect(recorded.final.report!.wallMs).toBeGreaterThanOrEqual(span.lastTime! - span.firstTime! - 5);
    expect(withoutTiming(recorded.final.report)).toEqual(withoutTiming(fast.final.report));
  });

  it('an evaluation cut off by a shutdown is reported failed after the restart, not running for ever', async () => {
    const dataDir = engines.dir();
    const engine = await engines.open({ dataDir });
    await engine.createModel('m', CONFIG);
    await engine.model('m').learn(items(50));
    const started = await engine.evaluate({ model: 'm', from: 'fresh', speed: 'max' });
    await engine.close();
    const reopened = await engines.open({ dataDir });
    expect(reopened.evaluation(started.id)).toMatchObject({ status: 'failed', report: null, error: expect.stringMatching(/interrupted/) });
  });
});
