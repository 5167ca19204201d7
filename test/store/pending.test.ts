import { describe, expect, it } from 'vitest';
import type { PendingPrediction } from '../../src/store/index.js';
import { errorCode, manualClock, useTempStores } from './helpers.js';

function entry(id: string, createdAt: number, model = 'm', ttl = 1000): PendingPrediction {
  return { predictionId: id, model, x: Float32Array.of(createdAt, -0, 1e-38), step: 7, createdAt, expiresAt: createdAt + ttl };
}

describe('pending predictions', () => {
  const tmp = useTempStores();

  it('take returns the row once, then unknown_prediction', () => {
    const clock = manualClock(100);
    const store = tmp.open(undefined, { now: clock.now });
    store.models.create('m', {});
    expect(store.pending.put(entry('p1', 100))).toEqual([]);
    expect(store.pending.count('m')).toBe(1);
    const taken = store.pending.take('p1');
    expect(taken).toEqual({ ok: true, pending: entry('p1', 100) });
    expect(taken.ok && Object.is(taken.pending.x[1], -0)).toBe(true);
    expect(store.pending.take('p1')).toEqual({ ok: false, code: 'unknown_prediction', message: 'no pending prediction with id "p1"' });
    expect(store.pending.count('m')).toBe(0);
  });

  it('an expired row is removed and reported as expired_prediction; purgeExpired removes the rest', () => {
    const clock = manualClock(0);
    const store = tmp.open(undefined, { now: clock.now });
    store.models.create('m', {});
    store.pending.put(entry('early', 0)); // expires at 1000
    store.pending.put(entry('late', 500)); // expires at 1500
    store.pending.put(entry('later', 900)); // expires at 1900
    clock.advance(1000);
    expect(store.pending.take('early')).toEqual({
      ok: false,
      code: 'expired_prediction',
      message: 'prediction "early" expired at 1970-01-01T00:00:01.000Z',
    });
    expect(store.pending.take('early')).toMatchObject({ ok: false, code: 'unknown_prediction' });
    expect(store.pending.take('late', 1499)).toMatchObject({ ok: true });
    expect(store.pending.purgeExpired(1900)).toBe(1);
    expect(store.pending.count('m')).toBe(0);
  });

  it('put at the bound evicts the oldest rows of that model only and returns their ids', () => {
    const store = tmp.open(undefined, { maxPendingPerModel: 3 });
    store.models.create('m', {});
    store.models.create('n', {});
    store.pending.put(entry('n1', 1, 'n'));
    for (const [id, t] of [['a', 10], ['b', 5], ['c', 20]] as const) store.pending.put(entry(id, t));
    expect(store.pending.put(entry('d', 30))).toEqual(['b']); // oldest by createdAt, not insertion
    expect(store.pending.put(entry('e', 40))).toEqual(['a']);
    expect(store.pending.count('m')).toBe(3);
    expect(store.pending.take('b')).toMatchObject({ code: 'unknown_prediction' });
    expect(store.pending.take('c', 0)).toMatchObject({ ok: true });
    // a per-call bound overrides the default
    expect(store.pending.put(entry('f', 50), 1).sort()).toEqual(['d', 'e']);
    expect(store.pending.count('m')).toBe(1);
    expect(store.pending.count('n')).toBe(1);
  });

  it('a duplicate prediction id is rejected without evicting anything', () => {
    const store = tmp.open(undefined, { maxPendingPerModel: 2 });
    store.models.create('m', {});
    store.pending.put(entry('a', 1));
    store.pending.put(entry('b', 2));
    expect(errorCode(() => store.pending.put(entry('b', 3)))).toBe('duplicate_prediction');
    expect(store.pending.count('m')).toBe(2);
    expect(store.pending.take('a', 0)).toMatchObject({ ok: true });
  });

  it('validates arguments', () => {
    const store = tmp.open();
    store.models.create('m', {});
    expect(errorCode(() => store.pending.put(entry('a', 1, 'x')))).toBe('unknown_model');
    expect(() => store.pending.put({ ...entry('a', 1), x: [1] as unknown as Float32Array })).toThrow(
      'pending.put(m) x: expected a Float32Array, got an array of length 1',
    );
    expect(() => store.pending.put(entry('a', 1), 0)).toThrow('pending.put(m) maxPending: expected an integer ≥ 1, got 0');
    expect(errorCode(() => store.pending.take(''))).toBe('invalid_argument');
    expect(errorCode(() => store.pending.count('x'))).toBe('unknown_model');
    expect(errorCode(() => tmp.open(undefined, { maxPendingPerModel: 0 }))).toBe('invalid_argument');
  });
});
