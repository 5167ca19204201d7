import { StreamError } from './errors.js';

/** What to do when a model's learning queue is full. */
export type OverloadPolicy = 'block' | 'reject';

/**
 * Bounds the labelled items a model holds between acceptance and learning. With `reject`, a
 * request that does not fit fails at once with `overloaded` (nothing of it is accepted); with
 * `block`, it waits until the learner has made room (the producer is paused by not getting acks).
 * Blocked requests are admitted first come, first served: room goes to the oldest waiting
 * request, and a release wakes only the requests that now fit — waking every waiter to re-check
 * (as this class once did) cost a full pass over thousands of blocked requests per learned
 * batch and kept a saturated server's main thread busy.
 */
export class Backpressure {
  private waiters: Array<{ count: number; admitted: () => void; refused: (error: Error) => void }> = [];
  /** Items admitted but not yet settled: not in `load()` yet, but the room is theirs. */
  private reserved = 0;

  constructor(
    readonly limit: number,
    readonly policy: OverloadPolicy,
    private readonly load: () => number,
  ) {}

  /**
   * Resolves when `count` more items fit, and holds their room until {@link settle} (so that
   * requests admitted together cannot overfill the queue before their items reach it).
   * @throws StreamError `overloaded` under `reject` when they do not fit now, or always when
   *   `count` alone exceeds the limit.
   */
  async admit(count: number): Promise<void> {
    if (count > this.limit) throw new StreamError('overloaded', `${count} items exceed the queue limit of ${this.limit}; send fewer at once`);
    if (this.waiters.length === 0 && this.fits(count)) {
      this.reserved += count;
      return;
    }
    if (this.policy === 'reject') {
      throw new StreamError('overloaded', `the learning queue is full (${this.load() + this.reserved} of ${this.limit} items waiting); retry later`);
    }
    // The room is reserved by release() before this resolves.
    await new Promise<void>((admitted, refused) => this.waiters.push({ count, admitted, refused }));
  }

  /** Refuses every blocked request with `error` (the model stopped: no room will come). */
  refuseWaiting(error: Error): void {
    const waiters = this.waiters;
    this.waiters = [];
    for (const waiter of waiters) waiter.refused(error);
  }

  /** Ends the admission of `count` items: they are in the queue now, or were not queued (resends, failures). */
  settle(count: number): void {
    this.reserved -= count;
    this.release();
  }

  /** Admits the blocked requests that fit now, oldest first (after the learner made room). */
  release(): void {
    let admitted = 0;
    while (admitted < this.waiters.length && this.fits(this.waiters[admitted].count)) {
      const waiter = this.waiters[admitted++];
      this.reserved += waiter.count;
      waiter.admitted();
    }
    if (admitted > 0) this.waiters.splice(0, admitted);
  }

  private fits(count: number): boolean {
    return this.load() + this.reserved + count <= this.limit;
  }
}
