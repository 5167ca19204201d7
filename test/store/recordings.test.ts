import { describe, expect, it } from 'vitest';
import { openStore, type SampleInput } from '../../src/store/index.js';
import { errorCode, useTempStores } from './helpers.js';

/** A learn item whose input encodes `n`, so reads can be checked against what was written. */
function learn(n: number, clientId: string | null = `c${n}`): SampleInput {
  return { time: 1000 + n, kind: 'learn', x: Float32Array.of(n, -n, n / 2), label: n % 10, clientId };
}

/** Bit patterns of a Float32Array, to compare values like -0 and NaN payloads exactly. */
function bits(x: Float32Array): number[] {
  return Array.from(new Uint32Array(x.buffer, x.byteOffset, x.length));
}

describe('recordings', () => {
  const tmp = useTempStores();

  it('every model has a live recording; named recordings are extra, unique per model', () => {
    const store = tmp.open();
    store.models.create('m', {});
    const live = store.recordings.live('m');
    expect(live).toMatchObject({ model: 'm', name: 'live', live: true });
    const imported = store.recordings.create('m', 'fashion-import');
    expect(imported).toMatchObject({ model: 'm', name: 'fashion-import', live: false });
    expect(store.recordings.get(imported.id)).toEqual(imported);
    expect(errorCode(() => store.recordings.create('m', 'fashion-import'))).toBe('duplicate_recording');
    expect(errorCode(() => store.recordings.create('m', 'live'))).toBe('duplicate_recording');
    expect(errorCode(() => store.recordings.create('x', 'a'))).toBe('unknown_model');
    expect(errorCode(() => store.recordings.live('x'))).toBe('unknown_model');
    expect(errorCode(() => store.recordings.get(999))).toBe('unknown_recording');
    expect(errorCode(() => store.recordings.delete(live.id))).toBe('live_recording');
    store.recordings.delete(imported.id);
    expect(errorCode(() => store.recordings.get(imported.id))).toBe('unknown_recording');
  });

  it('append returns contiguous seqs from 1 per recording, and they survive close/reopen', () => {
    const file = tmp.file();
    const store = openStore(file);
    store.models.create('m', {});
    const live = store.recordings.live('m').id;
    const other = store.recordings.create('m', 'other').id;
    expect(store.recordings.append(live, [learn(1), learn(2), learn(3)]).map((r) => r.seq)).toEqual([1, 2, 3]);
    expect(store.recordings.append(other, [learn(1)])).toEqual([{ seq: 1, duplicate: false }]);
    expect(store.recordings.append(live, [learn(4), learn(5)]).map((r) => r.seq)).toEqual([4, 5]);
    expect(store.recordings.append(live, [])).toEqual([]);
    store.close();

    const reopened = tmp.open(file);
    expect(reopened.recordings.lastSeq(live)).toBe(5);
    expect(reopened.recordings.append(live, [learn(6)])).toEqual([{ seq: 6, duplicate: false }]);
    const samples = reopened.recordings.read(live);
    expect(samples.map((s) => s.seq)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(samples[3]).toEqual({
      seq: 4,
      time: 1004,
      kind: 'learn',
      x: Float32Array.of(4, -4, 2),
      label: 4,
      predictionId: null,
      clientId: 'c4',
    });
  });

  it('a clientId already in the recording is not inserted again: existing seq, duplicate: true', () => {
    const store = tmp.open();
    store.models.create('m', {});
    const live = store.recordings.live('m').id;
    const other = store.recordings.create('m', 'other').id;
    store.recordings.append(live, [learn(1), learn(2)]);
    // resend after reconnect: c2 again, plus new items; c9 twice inside one batch; no-id items never collide
    const results = store.recordings.append(live, [learn(2), learn(3), learn(9, 'c9'), learn(10, 'c9'), learn(11, null), learn(12, null)]);
    expect(results).toEqual([
      { seq: 2, duplicate: true },
      { seq: 3, duplicate: false },
      { seq: 4, duplicate: false },
      { seq: 4, duplicate: true },
      { seq: 5, duplicate: false },
      { seq: 6, duplicate: false },
    ]);
    expect(store.recordings.read(live, { fromSeq: 4, toSeq: 4 })[0].x).toEqual(Float32Array.of(9, -9, 4.5));
    expect(store.recordings.count(live)).toBe(6);
    expect(store.recordings.seqOfClient(live, 'c9')).toBe(4);
    expect(store.recordings.seqOfClient(live, 'c77')).toBeNull();
    // uniqueness is per recording
    expect(store.recordings.append(other, [learn(2)])).toEqual([{ seq: 1, duplicate: false }]);
  });

  it('Float32Array round-trips bit-exactly, from views at any byteOffset', () => {
    const store = tmp.open();
    store.models.create('m', {});
    const live = store.recordings.live('m').id;
    const values = Float32Array.of(
      -0, 0, 1e-38, -1e-38, 1.17549435e-38, // smallest normal
      1.4e-45, -1.4e-45, 5.877472e-39, // subnormals
      3.4028234663852886e38, -3.4028234663852886e38, Infinity, -Infinity, 0.1, -123.456, 1 / 3,
    );
    const backing = new ArrayBuffer(4 * (values.length + 3));
    const view = new Float32Array(backing, 8, values.length); // a view that does not start at 0
    view.set(values);
    const nanPayload = new Float32Array(new Uint32Array([0x7fc00001, 0xffa00000]).buffer);
    store.recordings.append(live, [
      { time: 1, kind: 'learn', x: view, label: 0 },
      { time: 2, kind: 'predict', x: nanPayload },
      { time: 3, kind: 'predict', x: new Float32Array(0) },
    ]);
    const [a, b, c] = store.recordings.read(live);
    expect(bits(a.x!)).toEqual(bits(values));
    expect(Object.is(a.x![0], -0)).toBe(true);
    expect(bits(a.x!).slice(5, 7)).toEqual([0x00000001, 0x80000001]); // ±smallest subnormal
    expect(bits(b.x!)).toEqual([0x7fc00001, 0xffa00000]);
    expect(c.x).toEqual(new Float32Array(0));
    // results own their memory: mutating one read does not change the next
    a.x![0] = 42;
    expect(Object.is(store.recordings.read(live, { limit: 1 })[0].x![0], -0)).toBe(true);
  });

  it('stores predict and label items; label items may have no x', () => {
    const store = tmp.open();
    store.models.create('m', {});
    const live = store.recordings.live('m').id;
    store.recordings.append(live, [
      { time: 1, kind: 'predict', x: Float32Array.of(1), predictionId: 'p1', clientId: 'q1' },
      { time: 2, kind: 'label', predictionId: 'p1', label: 7, clientId: 'l1' },
    ]);
    expect(store.recordings.read(live)).toEqual([
      { seq: 1, time: 1, kind: 'predict', x: Float32Array.of(1), label: null, predictionId: 'p1', clientId: 'q1' },
      { seq: 2, time: 2, kind: 'label', x: null, label: 7, predictionId: 'p1', clientId: 'l1' },
    ]);
  });

  it('read filters by seq range, limit and kinds; iterate pages through the same rows', () => {
    const store = tmp.open();
    store.models.create('m', {});
    const live = store.recordings.live('m').id;
    const items: SampleInput[] = [];
    for (let n = 1; n <= 30; n++) {
      items.push(n % 3 === 0 ? { time: n, kind: 'predict', x: Float32Array.of(n) } : learn(n));
    }
    store.recordings.append(live, items);
    const seqs = (opts: Parameters<typeof store.recordings.read>[1]) => store.recordings.read(live, opts).map((s) => s.seq);
    expect(seqs({ fromSeq: 5, toSeq: 8 })).toEqual([5, 6, 7, 8]);
    expect(seqs({ fromSeq: 28 })).toEqual([28, 29, 30]);
    expect(seqs({ limit: 2 })).toEqual([1, 2]);
    expect(seqs({ kinds: ['predict'], fromSeq: 10, limit: 3 })).toEqual([12, 15, 18]);
    expect(seqs({ kinds: ['learn', 'predict'] })).toHaveLength(30);
    expect(seqs({ kinds: ['label'] })).toEqual([]);
    expect(seqs({ limit: 0 })).toEqual([]);

    const iterated = [...store.recordings.iterate(live, { pageSize: 4, kinds: ['learn'], fromSeq: 2, limit: 9 })].map((s) => s.seq);
    expect(iterated).toEqual(seqs({ kinds: ['learn'], fromSeq: 2, limit: 9 }));
    expect([...store.recordings.iterate(live, { pageSize: 7 })].map((s) => s.seq)).toEqual(seqs({}));

    expect(store.recordings.count(live)).toBe(30);
    expect(store.recordings.count(live, ['predict'])).toBe(10);
    expect(store.recordings.lastSeq(live)).toBe(30);
  });

  it('iterate holds no statement open: appends work between pages', () => {
    const store = tmp.open();
    store.models.create('m', {});
    const live = store.recordings.live('m').id;
    store.recordings.append(live, [learn(1), learn(2), learn(3)]);
    const seen: number[] = [];
    for (const sample of store.recordings.iterate(live, { pageSize: 2 })) {
      seen.push(sample.seq);
      if (sample.seq === 1) store.recordings.append(live, [learn(4)]);
    }
    expect(seen).toEqual([1, 2, 3, 4]);
  });

  it('list reports count, last seq and first/last times per recording', () => {
    const store = tmp.open();
    store.models.create('a', {});
    store.models.create('b', {});
    store.recordings.append(store.recordings.live('a').id, [learn(1), learn(2), learn(7)]);
    expect(store.recordings.list().map(({ model, name, count, lastSeq, firstTime, lastTime }) => ({ model, name, count, lastSeq, firstTime, lastTime }))).toEqual([
      { model: 'a', name: 'live', count: 3, lastSeq: 3, firstTime: 1001, lastTime: 1007 },
      { model: 'b', name: 'live', count: 0, lastSeq: 0, firstTime: null, lastTime: null },
    ]);
    expect(store.recordings.list('b')).toHaveLength(1);
    expect(errorCode(() => store.recordings.list('zz'))).toBe('unknown_model');
  });

  it('rejects bad batches as a whole, with the item index in the message', () => {
    const store = tmp.open();
    store.models.create('m', {});
    const live = store.recordings.live('m').id;
    const bad = (item: unknown) => () => store.recordings.append(live, [learn(1), item as SampleInput]);
    expect(bad({ time: 1, kind: 'learn', x: [1, 2], label: 1 })).toThrow(
      `recordings.append(${live}) items[1].x: expected a Float32Array, got an array of length 2`,
    );
    expect(bad({ time: 1, kind: 'learn', x: Float32Array.of(1) })).toThrow(`items[1].label: expected an integer ≥ 0, got undefined`);
    expect(bad({ time: 1.5, kind: 'learn', x: Float32Array.of(1), label: 1 })).toThrow(`items[1].time: expected an integer ≥ 0, got 1.5`);
    expect(bad({ time: 1, kind: 'train', x: Float32Array.of(1), label: 1 })).toThrow(`items[1].kind: expected one of learn, predict, label`);
    expect(bad({ time: 1, kind: 'label', label: 1 })).toThrow(`items[1].predictionId: expected a non-empty string`);
    expect(bad({ time: 1, kind: 'predict', x: Float32Array.of(1), clientId: '' })).toThrow(`items[1].clientId`);
    expect(bad(null)).toThrow(`items[1]: expected a sample object, got null`);
    expect(store.recordings.count(live)).toBe(0);
    expect(errorCode(() => store.recordings.append(999, [learn(1)]))).toBe('unknown_recording');
    expect(errorCode(() => store.recordings.read(live, { kinds: ['nope' as 'learn'] }))).toBe('invalid_argument');
    expect(errorCode(() => store.recordings.iterate(live, { pageSize: 0 }))).toBe('invalid_argument');
  });
});
