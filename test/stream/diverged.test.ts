import { describe, expect, it } from 'vitest';
import { CLASSES, FEATURES, useEngines } from './helpers.js';

/** Items far outside the inputs' usual scale, for a model whose learning rate cannot take them. */
function hugeItems(count: number, from: number) {
  return Array.from({ length: count }, (_, k) => ({ clientId: `h${from + k}`, x: Array.from({ length: FEATURES }, (_, j) => ((from + k + j) % 7) * 40_000), y: (from + k) % CLASSES }));
}

describe('a model that diverges', () => {
  const engines = useEngines();

  it('keeps the server up: predictions are refused with diverged, metrics windows store the loss as not measured, the model closes normally', async () => {
    const engine = await engines.open({ metricsWindow: { samples: 16, ms: 60_000 } });
    await engine.createModel('dv', {
      inputShape: [FEATURES],
      classes: CLASSES,
      architecture: { name: 'mlp', numLayers: 1, numHidden: 64, norm: 'none' },
      optimizer: { kind: 'sgd', lr: 10 },
      checkpoint: { everySamples: 0, everySeconds: 0, keepLast: 3, keepEvery: 0 },
    });
    const model = engine.model('dv');
    const x = hugeItems(1, 0)[0].x;
    let refused: { code?: string; message?: string } | null = null;
    for (let round = 0; round < 40 && !refused; round++) {
      await model.learn(hugeItems(16, round * 16));
      await model.drain();
      refused = await model.predict([{ x }]).then(
        () => null,
        (e: { code?: string; message?: string }) => e,
      );
    }
    expect(refused).toMatchObject({ code: 'diverged', message: expect.stringMatching(/outputs at step \d+ are not finite: its weights diverged/) });
    // The windows closed while it diverged were stored, the loss as not measured.
    const windows = model.metrics({ limit: 50 });
    expect(windows.length).toBeGreaterThan(0);
    expect(windows.some((w) => w.loss === null)).toBe(true);
    expect(engine.model('dv')).toBe(model);
    await engine.close();
  }, 120_000);
});
