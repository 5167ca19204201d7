import type { Store } from '../store/index.js';

interface Job<T> {
  work: () => T;
  after?: (result: T) => void;
  resolve: (result: T) => void;
  reject: (error: unknown) => void;
}

/**
 * Group commit: store work submitted during one turn of the event loop runs in ONE SQLite
 * transaction (each job in its own savepoint, so a job that throws is rolled back alone and
 * rejects alone), committed once; then each job's `after` hook runs, in submission order, and its
 * promise resolves. Acks therefore follow the commit, and writes cost one transaction per batch
 * of messages instead of one per row.
 */
export class GroupCommit {
  private jobs: Array<Job<unknown>> = [];
  private scheduled = false;

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

  /** Commits what is queued now (also called by the scheduled turn). */
  flush(): void {
    this.scheduled = false;
    const jobs = this.jobs;
    this.jobs = [];
    if (jobs.length === 0) return;
    let outcomes: Array<{ ok: true; value: unknown } | { ok: false; error: unknown }>;
    try {
      outcomes = this.store.transaction(() => jobs.map((job) => runInSavepoint(this.store, job)));
    } catch (error) {
      for (const job of jobs) job.reject(error);
      return;
    }
    jobs.forEach((job, i) => {
      const outcome = outcomes[i];
      if (!outcome.ok) return job.reject(outcome.error);
      job.after?.(outcome.value);
      job.resolve(outcome.value);
    });
  }
}

function runInSavepoint(store: Store, job: Job<unknown>): { ok: true; value: unknown } | { ok: false; error: unknown } {
  try {
    return { ok: true, value: store.transaction(job.work) };
  } catch (error) {
    return { ok: false, error };
  }
}
