import { Worker } from 'node:worker_threads';
import { createRequire } from 'node:module';

/** What one checkpoint found: frames in the WAL and frames copied into the database file so far. */
export interface WalCheckpointResult {
  walFrames: number;
  copied: number;
}

/**
 * The thread's code (plain CommonJS, so that it runs the same from sources and from `dist/`):
 * its own connection runs one PASSIVE checkpoint per request. PASSIVE never waits for the writer
 * or readers: it copies what it can now. SQLITE_BUSY (another checkpoint running) copies nothing.
 */
const THREAD = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.sqlite);
const db = new Database(workerData.file);
parentPort.on('message', (id) => {
  if (id === 'stop') {
    db.close();
    parentPort.close();
    return;
  }
  try {
    const [row] = db.pragma('wal_checkpoint(PASSIVE)');
    parentPort.postMessage({ id, walFrames: row.log, copied: row.checkpointed });
  } catch (error) {
    if (error.code === 'SQLITE_BUSY') parentPort.postMessage({ id, walFrames: -1, copied: -1 });
    else parentPort.postMessage({ id, error: error.message });
  }
});
`;

type Reply = { id: number; walFrames: number; copied: number } | { id: number; error: string };

/**
 * Checkpoints a WAL database from a thread of its own, for a connection opened with
 * `wal_autocheckpoint = 0`. SQLite's automatic checkpoint runs inside whichever commit crosses
 * 1000 WAL pages, on the committing thread, copying the WAL and fsyncing twice: measured 16–22 ms
 * for one commit in a hundred (p99) against 1.1 ms for the commit itself on this project's
 * machine — a server's event loop stalled. The WAL restarts from its beginning at the first
 * commit after a checkpoint that copied every frame (see `GroupCommit`, which makes room for one).
 * If the thread fails, the connection's automatic checkpoint is turned back on, so the WAL never
 * grows without bound.
 */
export class WalCheckpointer {
  private readonly worker: Worker;
  private readonly waiting = new Map<number, (result: WalCheckpointResult | null) => void>();
  private nextId = 1;
  private stopped = false;

  /**
   * @param file the database file (not `:memory:`).
   * @param fallback turns the committing connection's automatic checkpoint back on.
   */
  constructor(
    file: string,
    private readonly fallback: (why: string) => void,
  ) {
    const sqlite = createRequire(import.meta.url).resolve('better-sqlite3');
    this.worker = new Worker(THREAD, { eval: true, workerData: { file, sqlite } });
    this.worker.unref();
    this.worker.on('message', (reply: Reply) => this.onReply(reply));
    this.worker.on('error', (error) => this.fail(error.message));
    this.worker.on('exit', (code) => this.fail(`the checkpoint thread exited with code ${code}`));
  }

  /**
   * Runs one PASSIVE checkpoint in the thread.
   * @returns the WAL's frames and those copied (both -1 when another checkpoint was running), or
   *   null once the thread has stopped or failed.
   */
  checkpoint(): Promise<WalCheckpointResult | null> {
    if (this.stopped) return Promise.resolve(null);
    const id = this.nextId++;
    return new Promise((resolve) => {
      this.waiting.set(id, resolve);
      this.worker.postMessage(id);
    });
  }

  /** Ends the thread after its current checkpoint; its connection closes there. */
  stop(): void {
    if (this.stopped) return;
    this.stopped = true;
    this.settleAll();
    this.worker.postMessage('stop');
  }

  private onReply(reply: Reply): void {
    if ('error' in reply) return this.fail(reply.error);
    this.waiting.get(reply.id)?.(reply);
    this.waiting.delete(reply.id);
  }

  private fail(why: string): void {
    if (this.stopped) return;
    this.stopped = true;
    this.settleAll();
    this.fallback(why);
  }

  private settleAll(): void {
    for (const resolve of this.waiting.values()) resolve(null);
    this.waiting.clear();
  }
}
