import { describe, it, expect } from 'vitest';
import { Subject } from 'rxjs';
import { adaptiveBatch } from '../../src/stream/batching.js';

/** Feeds items through adaptiveBatch and collects the batches it emits. */
function harness(capacity?: number) {
  const source = new Subject<number>();
  const ready = new Subject<void>();
  const batches: number[][] = [];
  let completed = false;
  source.pipe(adaptiveBatch(ready, { maxSize: 3, minSize: () => 1, maxWaitMs: 10, capacity })).subscribe({
    next: (b) => batches.push(b),
    complete: () => (completed = true),
  });
  return { source, ready, batches, isCompleted: () => completed };
}

describe('adaptiveBatch', () => {
  it('with capacity 1, hands the first item alone and gathers the rest (up to maxSize) until the consumer is ready', () => {
    const h = harness();
    for (let i = 1; i <= 5; i++) h.source.next(i);
    expect(h.batches).toEqual([[1]]);
    h.ready.next();
    expect(h.batches).toEqual([[1], [2, 3, 4]]);
    h.ready.next();
    expect(h.batches).toEqual([[1], [2, 3, 4], [5]]);
  });

  it('with capacity k, keeps up to k batches in flight; each ready signal frees one place', () => {
    const h = harness(2);
    for (let i = 1; i <= 7; i++) h.source.next(i);
    expect(h.batches).toEqual([[1], [2]]);
    h.ready.next();
    expect(h.batches).toEqual([[1], [2], [3, 4, 5]]);
    h.ready.next();
    h.ready.next();
    expect(h.batches).toEqual([[1], [2], [3, 4, 5], [6, 7]]);
    for (let i = 8; i <= 10; i++) h.source.next(i);
    expect(h.batches.slice(4)).toEqual([[8]]);
    // Five signals: 9 and 10 leave at the first; the surplus makes k places, never more: 11 and 12
    // leave alone, 13 waits.
    for (let i = 0; i < 5; i++) h.ready.next();
    for (let i = 11; i <= 13; i++) h.source.next(i);
    expect(h.batches.slice(4)).toEqual([[8], [9, 10], [11], [12]]);
  });

  it('completes only when the source completed, nothing waits and every batch was signalled back', () => {
    const h = harness(2);
    h.source.next(1);
    h.source.next(2);
    h.source.complete();
    expect(h.isCompleted()).toBe(false);
    h.ready.next();
    expect(h.isCompleted()).toBe(false);
    h.ready.next();
    expect(h.isCompleted()).toBe(true);
  });
});
