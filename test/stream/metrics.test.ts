import { describe, expect, it } from 'vitest';
import type { MetricsEvent } from '../../src/stream/types.js';
import { input, items, smallConfig, until, useEngines } from './helpers.js';

/** Sum of the `output` (prequential) samples over windows. */
function outputSamples(events: readonly MetricsEvent[]): number {
  return events.reduce((n, e) => n + (e.layers.find((l) => l.layer === 'output')?.samples ?? 0), 0);
}

describe('metrics: per-layer windows in SQLite, published live', () => {
  const engines = useEngines();

  it('windows of N samples are published on metrics$ and stored; the last partial window is kept at shutdown; numbering continues after a restart', async () => {
    const dataDir = engines.dir();
    const engine = await engines.open({ dataDir, metricsWindow: { samples: 50, ms: 60_000 } });
    await engine.createModel('m', smallConfig({ batch: { maxSize: 5, maxWaitMs: 5 } }));
    const model = engine.model('m');
    const events: MetricsEvent[] = [];
    let completed = false;
    model.metrics$.subscribe({ next: (e) => events.push(e), complete: () => (completed = true) });

    for (let i = 0; i < 120; i += 10) {
      await model.learn(items(10, { from: i }));
      await model.drain();
    }
    // Two full windows (each closes at the first batch that reaches 50 samples).
    expect(events.map((e) => e.window)).toEqual([1, 2]);
    for (const e of events) {
      expect(e.model).toBe('m');
      const output = e.layers.find((l) => l.layer === 'output')!;
      expect(output.samples).toBe(50);
      expect(output.accuracy).toBeGreaterThanOrEqual(0);
      expect(output.accuracy).toBeLessThanOrEqual(1);
      expect(Number.isFinite(output.loss) && output.loss > 0).toBe(true);
      // Every learning layer reports, over the same rows.
      expect(e.layers.map((l) => l.layer)).toEqual(expect.arrayContaining(['output']));
      expect(e.layers.length).toBeGreaterThanOrEqual(2);
      for (const layer of e.layers) expect(Number.isFinite(layer.loss) && Number.isFinite(layer.accuracy)).toBe(true);
      expect(e.throughput).toBeGreaterThan(0);
      expect(e.predictLatencyMs).toBeNull();
    }
    expect(events.map((e) => e.samples)).toEqual([50, 100]);

    // The store has the same windows, one row per layer.
    const stored = model.metrics();
    for (const e of events) {
      for (const layer of e.layers) {
        expect(stored).toContainEqual({ window: e.window, time: e.time, layer: layer.layer, loss: layer.loss, accuracy: layer.accuracy, samples: layer.samples });
      }
    }
    expect(stored).toHaveLength(events.reduce((n, e) => n + e.layers.length, 0));

    await engine.close();
    expect(completed).toBe(true);
    // The prequential score of every learned item is in some window: the last 20 too.
    expect(outputSamples(events)).toBe(120);
    expect(events.at(-1)).toMatchObject({ window: 3, samples: 120 });

    const reopened = await engines.open({ dataDir, metricsWindow: { samples: 50, ms: 60_000 } });
    const again = reopened.model('m');
    const later: MetricsEvent[] = [];
    again.metrics$.subscribe((e) => later.push(e));
    await again.learn(items(50, { from: 120 }));
    await again.drain();
    expect(later.map((e) => [e.window, e.samples])).toEqual([[4, 170]]);
    expect(again.metrics({ layer: 'output' }).map((r) => r.window)).toEqual([4, 3, 2, 1]);
  });

  it('time windows close on their own; they carry prediction latency and counts', async () => {
    const engine = await engines.open({ metricsWindow: { samples: 1_000_000, ms: 200 } });
    await engine.createModel('m', smallConfig());
    const model = engine.model('m');
    const events: MetricsEvent[] = [];
    model.metrics$.subscribe((e) => events.push(e));
    await model.learn(items(7));
    await model.predict([{ x: input(1) }, { x: input(2) }, { x: input(3) }]);
    await model.drain();
    // No more traffic: the timer closes the windows that hold it.
    await until(() => outputSamples(events) === 7 && events.reduce((n, e) => n + e.predictions, 0) === 3, 5_000, 'time windows');
    const withPredictions = events.filter((e) => e.predictions > 0);
    for (const e of withPredictions) {
      expect(e.predictLatencyMs).toMatchObject({ p50: expect.any(Number), p99: expect.any(Number), max: expect.any(Number) });
      expect(e.predictLatencyMs!.max).toBeGreaterThanOrEqual(e.predictLatencyMs!.p50);
    }
    expect(events.filter((e) => e.predictions === 0).every((e) => e.predictLatencyMs === null)).toBe(true);
    const windows = events.length;
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(events).toHaveLength(windows); // empty windows are not published
    expect(new Set(model.metrics().map((r) => r.window))).toEqual(new Set(events.filter((e) => e.layers.length > 0).map((e) => e.window)));
  });
});
