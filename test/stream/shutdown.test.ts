import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { openStore } from '../../src/store/index.js';
import { items, sleep, streamError, useEngines } from './helpers.js';

const FEATURES = 256;

/** A model whose updates take a while: a backlog of a few thousand items takes seconds to learn. */
const slowConfig = {
  inputShape: [FEATURES],
  classes: 4,
  architecture: { name: 'mlp', numLayers: 2, numHidden: 512 },
  batch: { maxSize: 32, maxWaitMs: 5 },
  checkpoint: { everySamples: 0, everySeconds: 0, keepLast: 5, keepEvery: 0 },
};

describe('shutdown', () => {
  const engines = useEngines();

  it('close() learns what was accepted, then writes a shutdown checkpoint covering all of it', async () => {
    const dataDir = engines.dir();
    const engine = await engines.open({ dataDir });
    await engine.createModel('m', slowConfig);
    const model = engine.model('m');
    const acks = await model.learn(items(300, { features: FEATURES }));
    expect(model.status().samples).toBeLessThan(300); // still learning
    await engine.close();
    const reopened = await engines.open({ dataDir });
    const again = reopened.model('m');
    expect(again.status()).toMatchObject({ samples: 300, queued: 0, latestCheckpoint: { reason: 'shutdown', samples: 300, lastSeq: acks.at(-1)!.seq } });
  });

  it('close() with a deadline stops a busy model in time without touching the closed store; the rest is learned after a restart', async () => {
    const dataDir = engines.dir();
    const engine = await engines.open({ dataDir });
    await engine.createModel('m', slowConfig);
    const model = engine.model('m');
    const total = 3000;
    for (let i = 0; i < total; i += 500) await model.learn(items(500, { features: FEATURES, from: i }));
    expect(model.status().queued).toBeGreaterThan(1000);

    const started = performance.now();
    await engine.close({ deadlineMs: 300 });
    expect(performance.now() - started).toBeLessThan(3000);
    expect((await streamError(model.learn(items(1, { features: FEATURES, from: total })))).code).toBe('closed');
    // What the stopped model would have done next (learn, publish metrics, checkpoint) must not reach the closed store.
    await sleep(1500);

    const store = openStore(path.join(dataDir, 'sigprop.db'));
    try {
      expect(store.integrityCheck()).toBe('ok');
      expect(store.recordings.count(store.recordings.live('m').id)).toBe(total);
    } finally {
      store.close();
    }
    const reopened = await engines.open({ dataDir });
    const again = reopened.model('m');
    await again.drain();
    expect(again.status()).toMatchObject({ samples: total, queued: 0 });
  });
});
