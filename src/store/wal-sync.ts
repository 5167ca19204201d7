import { open, type FileHandle } from 'node:fs/promises';

/**
 * Makes the commits of a WAL database durable without blocking the thread that commits: with
 * `synchronous = NORMAL` a commit only writes its frames to the `-wal` file (OS page cache);
 * {@link WalSync.sync} then fsyncs that file on libuv's thread pool. A commit is durable once a
 * sync that started after it has finished, so calls made while one runs share the next one (one
 * fsync covers every commit before it), and syncs resolve in call order.
 */
export class WalSync {
  private file: FileHandle | null = null;
  private failure: Error | null = null;
  private running: Promise<void> | null = null;
  private queued: Promise<void> | null = null;

  /** @param walFile the database's `-wal` file (it exists once the database was written). */
  constructor(private readonly walFile: string) {}

  /**
   * Resolves when every commit made before this call is on disk.
   * @throws Error when an fsync failed (e.g. EIO) — this one or any earlier one: after a failed
   *   fsync Linux may drop the unwritten pages and report later fsyncs as successful, so no
   *   commit is reported durable again until the store is reopened.
   */
  sync(): Promise<void> {
    if (this.queued) return this.queued;
    if (!this.running) return this.start();
    // The running fsync may have started before this call's commits: wait for the next one.
    this.queued = this.running
      .catch(() => undefined)
      .then(() => {
        this.queued = null;
        return this.start();
      });
    return this.queued;
  }

  /** Waits for the syncs in flight, then releases the file descriptor. */
  async close(): Promise<void> {
    await Promise.allSettled([this.running, this.queued]);
    await this.file?.close();
    this.file = null;
  }

  private start(): Promise<void> {
    if (this.failure) return Promise.reject(this.failure);
    const run = this.fsyncWal().finally(() => {
      if (this.running === run) this.running = null;
    });
    this.running = run;
    return run;
  }

  // The descriptor stays valid: SQLite deletes the WAL only when the last connection closes,
  // and the store's own connection is open while it syncs.
  private async fsyncWal(): Promise<void> {
    try {
      this.file ??= await open(this.walFile, 'r+');
    } catch (error) {
      // No WAL yet: nothing has been committed through one since the database was opened.
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
      throw this.fail(error);
    }
    try {
      await this.file.sync();
    } catch (error) {
      throw this.fail(error);
    }
  }

  private fail(error: unknown): Error {
    this.failure = new Error(`fsync of ${this.walFile} failed (${(error as Error).message}): later commits are not reported durable until the store is reopened`);
    return this.failure;
  }
}
