import type { Store } from '../store/index.js';

interface Job<T> {
  work: () => T;
  after?: (result: T) => void;
  resolve: (result: T) => void;
  reject: (error: unknown) => void;
}

type Outcome = { ok: true; value: unknown } | { ok: false; error: unknown };

/** How often the store's WAL is checkpointed (in its checkpoint thread), ms. */
const WAL_CHECKPOINT_EVERY_MS = 500;
/** WAL size (frames) from which commits pause for a checkpoint to catch up, so that the WAL restarts (SQLite's own automatic checkpoint size). */
const WAL_RESTART_FRAMES = 1000;

/**
 * Group commit: store work submitted during one turn of the event loop runs in ONE SQLite
 * transaction (each job in its own savepoint, so a job that throws is rolled back alone and
 * rejects alone), committed once; once the commit is durable ({@link Store.durable}: an fsync
 * off the event loop for a server's store) each job's `after` hook runs, in submission order,
 * and its promise resolves. Acks therefore follow the durable commit, and writes cost one
 * transaction per batch of messages instead of one per row.
 *
 * It also keeps the store's WAL short: its checkpoint thread copies the WAL into the database
 * file every {@link WAL_CHECKPOINT_EVERY_MS}, but the WAL only restarts from its beginning at a
 * commit that finds every frame copied, which under a steady stream of commits never happens
 * (measured: the WAL grew past the database's size). So once the WAL is long, commits pause
 * (jobs keep queueing; the event loop is free) for one more checkpoint, which copies only what
 * was committed during the last one, and the next commit restarts the WAL.
 */
export class GroupCommit {
  private jobs: Array<Job<unknown>> = [];
  private scheduled = false;
  private settling: Promise<void> = Promise.resolve();
  /** Set while commits pause for a WAL checkpoint to catch up. */
  private hold: Promise<void> | null = null;
  private walCheckpointing = false;
  private lastWalCheckpoint = 0;

  constructor(private readonly store: Store) {}

  /**
   * Queues `work` (synchronous store calls) for the next commit.
   * @param after runs right after the commit, before the promise resolves, in submission order.
   */
  submit<T>(work: () => T, after?: (result: T) => void): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.jobs.push({ work, after, resolve, reject } as Job<unknown>);
      if (!this.scheduled) {
        this.scheduled = true;
        setImmediate(() => this.flush());
      }
    });
  }

  /**
   * Commits what is queued now (also called by the scheduled turn); the work runs before this
   * returns, unless commits pause for a WAL checkpoint (then right after it).
   * @returns when the hooks of every job committed so far have run.
   */
  flush(): Promise<void> {
    this.scheduled = false;
    if (this.hold) return this.hold.then(() => this.flush());
    const jobs = this.jobs;
    this.jobs = [];
    if (jobs.length === 0) return this.settling;
    let outcomes: Outcome[];
    try {
      outcomes = this.store.transaction(() => jobs.map((job) => runInSavepoint(this.store, job)));
    } catch (error) {
      for (const job of jobs) job.reject(error);
      return this.settling;
    }
    // Durability resolves in commit order, so hooks keep the submission order across commits.
    this.settling = this.store.durable().then(
      () => settle(jobs, outcomes),
      (error: unknown) => settle(jobs, outcomes, error),
    );
    this.checkpointWalIfDue();
    return this.settling;
  }

  /** Starts a WAL checkpoint when one is due; when the WAL is long, pauses commits for a second one that catches up. */
  private checkpointWalIfDue(): void {
    if (this.walCheckpointing || performance.now() - this.lastWalCheckpoint < WAL_CHECKPOINT_EVERY_MS) return;
    this.walCheckpointing = true;
    this.lastWalCheckpoint = performance.now();
    void this.store
      .checkpointWal()
      .then((r) => (r && r.walFrames >= WAL_RESTART_FRAMES ? this.pauseCommitsForCheckpoint() : undefined))
      .finally(() => (this.walCheckpointing = false));
  }

  private pauseCommitsForCheckpoint(): Promise<void> {
    this.hold = this.store.checkpointWal().then(
      () => void (this.hold = null),
      () => void (this.hold = null),
    );
    return this.hold;
  }
}

/**
 * Runs the hooks of the committed jobs and settles every job. With `notDurable` (the fsync
 * failed) the hooks still run — the work is in the file and must take effect (a recorded item
 * must be learned, or the learned-sample counter would stop matching the recording) — but the
 * jobs reject with it, so nothing is acknowledged as durable.
 */
function settle(jobs: Array<Job<unknown>>, outcomes: Outcome[], notDurable?: unknown): void {
  jobs.forEach((job, i) => {
    const outcome = outcomes[i];
    if (!outcome.ok) return job.reject(outcome.error);
    try {
      job.after?.(outcome.value);
      if (notDurable === undefined) job.resolve(outcome.value);
      else job.reject(notDurable);
    } catch (error) {
      job.reject(error);
    }
  });
}

function runInSavepoint(store: Store, job: Job<unknown>): Outcome {
  try {
    return { ok: true, value: store.transaction(job.work) };
  } catch (error) {
    return { ok: false, error };
  }
}
