import { describe, expect, it } from 'vitest';
import { StoreError } from '../../src/store/index.js';
import { errorCode, manualClock, useTempStores } from './helpers.js';

describe('models', () => {
  const tmp = useTempStores();

  it('creates, gets, lists, updates and deletes', () => {
    const clock = manualClock(1000);
    const store = tmp.open(undefined, { now: clock.now });
    const created = store.models.create('mlp_1', { classes: 10, layers: [784, 256, 10] });
    expect(created).toEqual({ name: 'mlp_1', config: { classes: 10, layers: [784, 256, 10] }, createdAt: 1000, updatedAt: 1000 });
    clock.advance(5);
    store.models.create('b-2', {});
    expect(store.models.get('mlp_1')).toEqual(created);
    expect(store.models.find('nope')).toBeNull();
    expect(store.models.list().map((m) => m.name)).toEqual(['mlp_1', 'b-2']);

    clock.advance(10);
    expect(store.models.updateConfig('mlp_1', { classes: 3 })).toEqual({
      name: 'mlp_1',
      config: { classes: 3 },
      createdAt: 1000,
      updatedAt: 1015,
    });

    store.models.delete('mlp_1');
    expect(store.models.find('mlp_1')).toBeNull();
    expect(store.models.list().map((m) => m.name)).toEqual(['b-2']);
  });

  it('validates names and configs with invalid_argument', () => {
    const store = tmp.open();
    for (const bad of ['', 'a b', 'x'.repeat(65), 'ü', '../etc', 3]) {
      expect(errorCode(() => store.models.create(bad as string, {}))).toBe('invalid_argument');
    }
    expect(() => store.models.create('ok', [] as unknown as object)).toThrow(
      'models.create(ok, config): expected a JSON object, got an array of length 0',
    );
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    expect(() => store.models.create('ok', cyclic)).toThrow(/not serialisable as JSON/);
    expect(store.models.create('x'.repeat(64), {}).name).toHaveLength(64);
  });

  it('duplicate names raise duplicate_model; unknown names raise unknown_model', () => {
    const store = tmp.open();
    store.models.create('m', {});
    let error: unknown;
    try {
      store.models.create('m', {});
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(StoreError);
    expect(error).toMatchObject({ code: 'duplicate_model', message: 'models.create: a model named "m" already exists' });
    expect(errorCode(() => store.models.get('x'))).toBe('unknown_model');
    expect(errorCode(() => store.models.updateConfig('x', {}))).toBe('unknown_model');
    expect(errorCode(() => store.models.delete('x'))).toBe('unknown_model');
  });

  it('delete cascades to everything the model owns and leaves other models alone', () => {
    const store = tmp.open();
    for (const name of ['gone', 'kept']) {
      store.models.create(name, {});
      const live = store.recordings.live(name);
      const extra = store.recordings.create(name, 'imported');
      for (const id of [live.id, extra.id]) {
        store.recordings.append(id, [{ time: 1, kind: 'learn', x: new Float32Array(4), label: 0, clientId: 'c' }]);
      }
      const checkpoint = store.checkpoints.save(name, { step: 1, samples: 1, lastSeq: 1, bytes: new Uint8Array(8), reason: 'manual' });
      store.pending.put({ predictionId: `${name}-p`, model: name, x: new Float32Array(4), step: 1, createdAt: 1, expiresAt: 2 });
      store.metrics.insertWindow(name, 0, 1, [{ layer: 'output', loss: 1, accuracy: 0.5, samples: 1 }]);
      store.evaluations.create({ model: name, recordingId: live.id, from: { checkpointId: checkpoint.id }, speed: 'max', config: {} });
    }
    store.models.delete('gone');

    expect(store.recordings.list().map((r) => [r.model, r.name, r.count])).toEqual([
      ['kept', 'live', 1],
      ['kept', 'imported', 1],
    ]);
    expect(store.checkpoints.list('kept')).toHaveLength(1);
    expect(store.pending.take('gone-p')).toMatchObject({ ok: false, code: 'unknown_prediction' });
    expect(store.pending.count('kept')).toBe(1);
    expect(store.evaluations.list().map((e) => e.model)).toEqual(['kept']);
    expect(store.metrics.latest('kept')).toHaveLength(1);
    expect(errorCode(() => store.metrics.latest('gone'))).toBe('unknown_model');
    expect(store.integrityCheck()).toBe('ok');

    // The name is free again, with a fresh live recording and checkpoint ordinals from 1.
    store.models.create('gone', {});
    expect(store.recordings.list('gone')).toMatchObject([{ name: 'live', count: 0 }]);
    expect(store.checkpoints.save('gone', { step: 0, samples: 0, lastSeq: 0, bytes: new Uint8Array(1), reason: 'manual' }).ordinal).toBe(1);
  });
});
