import { StreamError } from './errors.js';

/** What to do when a model's learning queue is full. */
export type OverloadPolicy = 'block' | 'reject';

/**
 * Bounds the labelled items a model holds between acceptance and learning. With `reject`, a
 * request that does not fit fails at once with `overloaded` (nothing of it is accepted); with
 * `block`, it waits until the learner has made room (the producer is paused by not getting acks).
 */
export class Backpressure {
  private waiters: Array<() => void> = [];
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
    while (this.load() + this.reserved + count > this.limit) {
      if (this.policy === 'reject') {
        throw new StreamError('overloaded', `the learning queue is full (${this.load() + this.reserved} of ${this.limit} items waiting); retry later`);
      }
      await new Promise<void>((resolve) => this.waiters.push(resolve));
    }
    this.reserved += count;
  }

  /** Ends the admission of `count` items: they are in the queue now, or were not queued (resends, failures). */
  settle(count: number): void {
    this.reserved -= count;
    this.release();
  }

  /** Wakes blocked producers after the learner made room. */
  release(): void {
    const waiters = this.waiters;
    this.waiters = [];
    for (const resolve of waiters) resolve();
  }
}
