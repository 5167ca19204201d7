import { describe, expect, it } from 'vitest';
import type { MetricInput } from '../../src/store/index.js';
import { errorCode, useTempStores } from './helpers.js';

const LAYERS = ['signal', 'hidden1', 'output'];

function window(w: number): MetricInput[] {
  return LAYERS.map((layer, i) => ({ layer, loss: w + i / 10, accuracy: i === 0 ? null : 0.5, samples: 32, extra: { w } }));
}

describe('metrics', () => {
  const tmp = useTempStores();

  it('inserts windows and queries by layer, since, limit and order', () => {
    const store = tmp.open();
    store.models.create('m', {});
    store.models.create('other', {});
    for (let w = 0; w < 5; w++) store.metrics.insertWindow('m', w, 1000 * (w + 1), window(w));
    store.metrics.insertWindow('other', 0, 99_999, window(9));

    const all = store.metrics.query('m');
    expect(all).toHaveLength(15);
    expect(all[0]).toMatchObject({ model: 'm', window: 4, time: 5000, layer: 'output' }); // newest first
    expect(store.metrics.query('m', { order: 'asc', limit: 2 })).toEqual([
      { id: all[14].id, model: 'm', window: 0, time: 1000, layer: 'signal', loss: 0, accuracy: null, samples: 32, extra: { w: 0 } },
      { id: all[13].id, model: 'm', window: 0, time: 1000, layer: 'hidden1', loss: 0.1, accuracy: 0.5, samples: 32, extra: { w: 0 } },
    ]);
    expect(store.metrics.query('m', { layer: 'hidden1' }).map((r) => r.window)).toEqual([4, 3, 2, 1, 0]);
    expect(store.metrics.query('m', { layer: 'output', since: 3000, order: 'asc' }).map((r) => r.time)).toEqual([3000, 4000, 5000]);
    expect(store.metrics.query('m', { layer: 'nope' })).toEqual([]);
  });

  it('latest returns every layer of the newest window', () => {
    const store = tmp.open();
    store.models.create('m', {});
    expect(store.metrics.latest('m')).toEqual([]);
    store.metrics.insertWindow('m', 0, 1000, window(0));
    store.metrics.insertWindow('m', 1, 2000, window(1));
    expect(store.metrics.latest('m').map((r) => [r.window, r.layer])).toEqual(LAYERS.map((l) => [1, l]));
  });

  it('a window with a bad row writes nothing; errors name the row', () => {
    const store = tmp.open();
    store.models.create('m', {});
    const rows = [...window(0), { layer: 'x', loss: Number.NaN, accuracy: 0, samples: 1 }];
    expect(() => store.metrics.insertWindow('m', 0, 1, rows)).toThrow('metrics.insertWindow(m) rows[3].loss: expected a number, got NaN');
    expect(store.metrics.query('m')).toEqual([]);
    expect(errorCode(() => store.metrics.insertWindow('x', 0, 1, window(0)))).toBe('unknown_model');
    expect(errorCode(() => store.metrics.query('m', { order: 'up' as 'asc' }))).toBe('invalid_argument');
    // infinities are data (a diverged loss), stored as such
    store.metrics.insertWindow('m', 0, 1, [{ layer: 'output', loss: Infinity, accuracy: 0, samples: 1 }]);
    expect(store.metrics.latest('m')[0].loss).toBe(Infinity);
  });
});
