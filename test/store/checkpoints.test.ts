import { describe, expect, it } from 'vitest';
import type { CheckpointInput } from '../../src/store/index.js';
import { errorCode, manualClock, useTempStores } from './helpers.js';

function input(step: number, size = 16, reason = 'periodic'): CheckpointInput {
  return { step, samples: step * 10, lastSeq: step * 10, bytes: new Uint8Array(size).fill(step % 256), reason };
}

describe('checkpoints', () => {
  const tmp = useTempStores();

  it('saves, lists without bytes, gets with bytes, finds the latest and deletes', () => {
    const clock = manualClock(5000);
    const store = tmp.open(undefined, { now: clock.now });
    store.models.create('m', {});
    expect(store.checkpoints.latest('m')).toBeNull();
    const first = store.checkpoints.save('m', { ...input(1), meta: { format: 'tfjs-weights', specs: [{ name: 'w', shape: [2, 2] }] } });
    expect(first).toEqual({
      id: first.id,
      model: 'm',
      ordinal: 1,
      step: 1,
      samples: 10,
      lastSeq: 10,
      size: 16,
      reason: 'periodic',
      meta: { format: 'tfjs-weights', specs: [{ name: 'w', shape: [2, 2] }] },
      createdAt: 5000,
    });
    const second = store.checkpoints.save('m', { ...input(2, 100_000, 'manual'), createdAt: 7000 });
    expect(store.checkpoints.list('m')).toEqual([first, second]);
    expect(store.checkpoints.list('m')[0]).not.toHaveProperty('bytes');

    const got = store.checkpoints.get(second.id);
    expect(got).toMatchObject({ ...second, createdAt: 7000, reason: 'manual', size: 100_000 });
    expect(got.bytes).toBeInstanceOf(Uint8Array);
    expect(Buffer.from(got.bytes).equals(Buffer.alloc(100_000, 2))).toBe(true);
    expect(store.checkpoints.latest('m')?.id).toBe(second.id);

    store.checkpoints.delete(second.id);
    expect(store.checkpoints.latest('m')?.id).toBe(first.id);
    expect(errorCode(() => store.checkpoints.get(second.id))).toBe('unknown_checkpoint');
    expect(errorCode(() => store.checkpoints.delete(second.id))).toBe('unknown_checkpoint');
    // ordinals are never reused, even for a deleted newest checkpoint
    expect(store.checkpoints.save('m', input(3)).ordinal).toBe(3);
  });

  it('retention keepLast 3 / keepEvery 5 over 20 checkpoints keeps ordinals 5, 10, 15, 18, 19, 20', () => {
    const store = tmp.open();
    store.models.create('m', {});
    store.models.create('other', {});
    const ids = new Map<number, number>(); // ordinal → id
    for (let step = 1; step <= 20; step++) {
      ids.set(step, store.checkpoints.save('m', input(step)).id);
      store.checkpoints.save('other', input(step)); // interleaved: ids and ordinals differ
    }
    const deleted = store.checkpoints.applyRetention('m', { keepLast: 3, keepEvery: 5 });
    const keptOrdinals = [5, 10, 15, 18, 19, 20];
    const expectDeleted = [...ids].filter(([ordinal]) => !keptOrdinals.includes(ordinal)).map(([, id]) => id);
    expect(deleted).toEqual(expectDeleted);
    expect(store.checkpoints.list('m').map((c) => [c.ordinal, c.id])).toEqual(keptOrdinals.map((o) => [o, ids.get(o)]));
    expect(store.checkpoints.list('other')).toHaveLength(20);

    // stable: applying again deletes nothing; new saves age out as expected
    expect(store.checkpoints.applyRetention('m', { keepLast: 3, keepEvery: 5 })).toEqual([]);
    for (let step = 21; step <= 25; step++) store.checkpoints.save('m', input(step));
    store.checkpoints.applyRetention('m', { keepLast: 3, keepEvery: 5 });
    expect(store.checkpoints.list('m').map((c) => c.ordinal)).toEqual([5, 10, 15, 20, 23, 24, 25]);
    // without keepEvery only the newest stay
    store.checkpoints.applyRetention('m', { keepLast: 2 });
    expect(store.checkpoints.list('m').map((c) => c.ordinal)).toEqual([24, 25]);
  });

  it('a save inside a failing transaction leaves the previous set untouched', () => {
    const store = tmp.open();
    store.models.create('m', {});
    store.checkpoints.save('m', input(1));
    expect(() =>
      store.transaction(() => {
        store.checkpoints.save('m', input(2));
        store.checkpoints.applyRetention('m', { keepLast: 1 });
        throw new Error('crash between steps');
      }),
    ).toThrow('crash between steps');
    expect(store.checkpoints.list('m').map((c) => c.ordinal)).toEqual([1]);
    // the committed version of the same pair
    store.transaction(() => {
      store.checkpoints.save('m', input(2));
      store.checkpoints.applyRetention('m', { keepLast: 1 });
    });
    expect(store.checkpoints.list('m').map((c) => c.ordinal)).toEqual([2]);
  });

  it('validates arguments', () => {
    const store = tmp.open();
    store.models.create('m', {});
    expect(errorCode(() => store.checkpoints.save('x', input(1)))).toBe('unknown_model');
    expect(() => store.checkpoints.save('m', { ...input(1), bytes: [1, 2] as unknown as Uint8Array })).toThrow(
      'checkpoints.save(m) bytes: expected a Uint8Array, got an array of length 2',
    );
    expect(() => store.checkpoints.save('m', { ...input(1), step: -1 })).toThrow('checkpoints.save(m) step: expected an integer ≥ 0, got -1');
    expect(() => store.checkpoints.save('m', { ...input(1), reason: '' })).toThrow('checkpoints.save(m) reason');
    expect(() => store.checkpoints.applyRetention('m', { keepLast: 0 })).toThrow(
      'checkpoints.applyRetention(m) keepLast: expected an integer ≥ 1, got 0',
    );
    expect(errorCode(() => store.checkpoints.applyRetention('m', { keepLast: 1, keepEvery: 0 }))).toBe('invalid_argument');
    expect(errorCode(() => store.checkpoints.list('x'))).toBe('unknown_model');
    expect(errorCode(() => store.checkpoints.get(0))).toBe('invalid_argument');
    expect(store.checkpoints.list('m')).toEqual([]);
  });
});
