import { describe, expect, it } from 'vitest';
import { errorCode, manualClock, useTempStores } from './helpers.js';

describe('evaluations', () => {
  const tmp = useTempStores();

  it('goes through pending → running → done with progress and a report', () => {
    const clock = manualClock(100);
    const store = tmp.open(undefined, { now: clock.now });
    store.models.create('m', {});
    const recordingId = store.recordings.live('m').id;
    const checkpoint = store.checkpoints.save('m', { step: 1, samples: 1, lastSeq: 0, bytes: new Uint8Array(4), reason: 'manual' });
    const id = store.evaluations.create({ model: 'm', recordingId, from: { checkpointId: checkpoint.id }, speed: 2, config: { batch: 32 } });
    expect(store.evaluations.get(id)).toEqual({
      id,
      model: 'm',
      recordingId,
      from: { checkpointId: checkpoint.id },
      speed: 2,
      config: { batch: 32 },
      status: 'pending',
      progress: 0,
      report: null,
      error: null,
      createdAt: 100,
      updatedAt: 100,
    });
    clock.advance(10);
    expect(store.evaluations.update(id, { status: 'running', progress: 0.25 })).toMatchObject({ status: 'running', progress: 0.25, updatedAt: 110 });
    clock.advance(10);
    const done = store.evaluations.update(id, { status: 'done', progress: 1, report: { accuracy: 0.91, curve: [0.1, 0.5] } });
    expect(done).toMatchObject({ status: 'done', progress: 1, report: { accuracy: 0.91, curve: [0.1, 0.5] }, error: null, updatedAt: 120 });
    // the checkpoint can be pruned; the evaluation keeps naming it
    store.checkpoints.delete(checkpoint.id);
    expect(store.evaluations.get(id).from).toEqual({ checkpointId: checkpoint.id });
  });

  it('records failures, lists per model, and survives deletion of the recording', () => {
    const store = tmp.open();
    store.models.create('a', {});
    store.models.create('b', {});
    const imported = store.recordings.create('a', 'imported').id;
    const e1 = store.evaluations.create({ model: 'a', recordingId: imported, from: 'fresh', speed: 'max', config: {} });
    const e2 = store.evaluations.create({ model: 'b', recordingId: imported, from: 'fresh', speed: 'max', config: {} });
    expect(store.evaluations.update(e2, { status: 'failed', error: 'input shape [784] ≠ [3072]' })).toMatchObject({
      status: 'failed',
      error: 'input shape [784] ≠ [3072]',
      from: 'fresh',
      speed: 'max',
    });
    expect(store.evaluations.list().map((e) => e.id)).toEqual([e1, e2]);
    expect(store.evaluations.list('b').map((e) => e.id)).toEqual([e2]);
    store.recordings.delete(imported);
    expect(store.evaluations.get(e1).recordingId).toBeNull();
  });

  it('validates arguments and references', () => {
    const store = tmp.open();
    store.models.create('a', {});
    store.models.create('b', {});
    const recordingId = store.recordings.live('a').id;
    const foreign = store.checkpoints.save('b', { step: 1, samples: 1, lastSeq: 0, bytes: new Uint8Array(1), reason: 'manual' });
    const base = { model: 'a', recordingId, from: 'fresh' as const, speed: 'max' as const, config: {} };
    expect(errorCode(() => store.evaluations.create({ ...base, model: 'x' }))).toBe('unknown_model');
    expect(errorCode(() => store.evaluations.create({ ...base, recordingId: 999 }))).toBe('unknown_recording');
    expect(() => store.evaluations.create({ ...base, from: { checkpointId: foreign.id } })).toThrow(
      `evaluations.create(a): model "a" has no checkpoint with id ${foreign.id}`,
    );
    expect(errorCode(() => store.evaluations.create({ ...base, speed: 0 }))).toBe('invalid_argument');
    const id = store.evaluations.create(base);
    expect(() => store.evaluations.update(id, { progress: 1.5 })).toThrow(`evaluations.update(${id}) progress: expected a fraction in [0, 1], got 1.5`);
    expect(errorCode(() => store.evaluations.update(id, { status: 'paused' as 'done' }))).toBe('invalid_argument');
    expect(errorCode(() => store.evaluations.update(999, { progress: 0.5 }))).toBe('unknown_evaluation');
    expect(errorCode(() => store.evaluations.get(999))).toBe('unknown_evaluation');
  });
});
