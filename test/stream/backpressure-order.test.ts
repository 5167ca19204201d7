import { describe, expect, it } from 'vitest';
import { Backpressure } from '../../src/stream/backpressure.js';
import { StreamError } from '../../src/stream/errors.js';

/** Lets promise callbacks run. */
const settled = () => new Promise((resolve) => setImmediate(resolve));

describe('backpressure: blocked requests are admitted first come, first served', () => {
  it('room goes to the oldest waiting request; a newcomer that would fit waits behind it; each is admitted once', async () => {
    let queued = 10;
    const gate = new Backpressure(10, 'block', () => queued);
    const order: string[] = [];
    const admit = (name: string, count: number) => gate.admit(count).then(() => order.push(name));
    const a = admit('a5', 5);
    const b = admit('b3', 3);
    await settled();
    queued = 6;
    gate.release();
    await settled();
    // 4 free: a5 does not fit yet, and b3 (which would) may not pass it.
    expect(order).toEqual([]);
    const c = admit('c1', 1);
    queued = 5;
    gate.release();
    await settled();
    expect(order).toEqual(['a5']);
    // a5's 5 items are reserved until settled: 5 queued + 5 reserved leaves no room.
    gate.release();
    await settled();
    expect(order).toEqual(['a5']);
    queued = 10;
    gate.settle(5);
    queued = 1;
    gate.release();
    await Promise.all([a, b, c]);
    expect(order).toEqual(['a5', 'b3', 'c1']);
  });

  it('a release admits exactly the requests that fit, out of thousands blocked', async () => {
    let queued = 100;
    const gate = new Backpressure(100, 'block', () => queued);
    let admitted = 0;
    for (let i = 0; i < 3000; i++) void gate.admit(1).then(() => admitted++);
    await settled();
    queued = 68;
    gate.release();
    await settled();
    expect(admitted).toBe(32);
  });

  it('refuseWaiting refuses every blocked request (the model stopped); under reject nothing ever waits', async () => {
    const gate = new Backpressure(4, 'block', () => 4);
    const blocked = [gate.admit(1), gate.admit(2)];
    gate.refuseWaiting(new StreamError('closed', 'stopped'));
    for (const b of blocked) await expect(b).rejects.toMatchObject({ code: 'closed' });
    const reject = new Backpressure(4, 'reject', () => 3);
    await expect(reject.admit(2)).rejects.toMatchObject({ code: 'overloaded', message: 'the learning queue is full (3 of 4 items waiting); retry later' });
    await expect(reject.admit(1)).resolves.toBeUndefined();
    await expect(reject.admit(5)).rejects.toMatchObject({ code: 'overloaded', message: '5 items exceed the queue limit of 4; send fewer at once' });
  });
});
