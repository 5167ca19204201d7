import type Database from 'better-sqlite3';
import { CheckpointRepository } from './checkpoints.js';
import { systemClock, type Clock } from './clock.js';
import { databaseInfo, integrityCheck, openDatabase, type DatabaseInfo, type DatabaseOptions } from './database.js';
import { EvaluationRepository } from './evaluations.js';
import { MetricRepository } from './metrics.js';
import { ModelRepository } from './models.js';
import { DEFAULT_MAX_PENDING, PendingRepository } from './pending.js';
import { RecordingRepository } from './recordings.js';
import { WalSync } from './wal-sync.js';
import { WalCheckpointer, type WalCheckpointResult } from './wal-checkpointer.js';

export type { Checkpoint, CheckpointInfo, CheckpointInput, CheckpointReason, RetentionPolicy } from './checkpoints.js';
export type { Clock } from './clock.js';
export type { DatabaseInfo, DatabaseOptions } from './database.js';
export { StoreError, type StoreErrorCode } from './errors.js';
export type {
  Evaluation,
  EvaluationInput,
  EvaluationStart,
  EvaluationStatus,
  EvaluationUpdate,
} from './evaluations.js';
export type { MetricInput, MetricQuery, MetricRow } from './metrics.js';
export { SCHEMA_VERSION } from './migrations.js';
export type { Model } from './models.js';
export { DEFAULT_MAX_PENDING, type PendingPrediction, type TakeResult } from './pending.js';
export type { AppendResult, IterateOptions, ReadOptions, Recording, RecordingSummary } from './recordings.js';
export { SAMPLE_KINDS, type Sample, type SampleInput, type SampleKind } from './samples.js';
export { NAME_PATTERN } from './validate.js';
export {
  CheckpointRepository,
  EvaluationRepository,
  MetricRepository,
  ModelRepository,
  PendingRepository,
  RecordingRepository,
};

/** Options of {@link openStore}: durability and locking (see {@link DatabaseOptions}) plus store policy. */
export interface StoreOptions extends DatabaseOptions {
  /** Bound on pending predictions per model; `put` evicts the oldest beyond it. Default 10 000. */
  maxPendingPerModel?: number;
  /** Source of "now" (ms since epoch) for created/updated stamps. Default `Date.now`. */
  now?: Clock;
  /**
   * Fsync off the calling thread: commits return without waiting for the disk (`synchronous =
   * NORMAL`, overriding {@link DatabaseOptions.synchronous}) and {@link Store.durable} fsyncs
   * the WAL on libuv's thread pool, and WAL checkpoints run in a thread of their own
   * ({@link WalCheckpointer}). For a server whose event loop must not stall on the disk (a
   * commit's fsync took up to ~100 ms on the project machine under load). Default false.
   */
  syncOffThread?: boolean;
}

/** Size a restarting WAL is truncated to (64 MiB: a few seconds of saturated learning). */
const WAL_SIZE_LIMIT_BYTES = 64 * 1024 * 1024;

/**
 * The durable state of the server in one SQLite file. Owns the connection; the repositories
 * share it. Synchronous: every method returns once its change is committed (see
 * {@link DatabaseOptions.synchronous} for what "committed" survives). Not safe to share across
 * worker threads; other processes may open the same file (WAL, busy timeout).
 */
export class Store {
  /** Models; deleting one deletes everything it owns. */
  readonly models: ModelRepository;
  /** Recordings and their samples (the log of accepted items). */
  readonly recordings: RecordingRepository;
  /** Checkpoints (weights) with retention. */
  readonly checkpoints: CheckpointRepository;
  /** Predictions waiting for a delayed label. */
  readonly pending: PendingRepository;
  /** Per-window, per-layer metrics. */
  readonly metrics: MetricRepository;
  /** Replay evaluations and their reports. */
  readonly evaluations: EvaluationRepository;

  private readonly walSync: WalSync | null;
  private readonly checkpointer: WalCheckpointer | null = null;

  /** Wraps an open, migrated connection; use {@link openStore}. */
  constructor(
    private readonly db: Database.Database,
    options: StoreOptions = {},
  ) {
    const now = options.now ?? systemClock;
    this.walSync = options.syncOffThread && !db.memory ? new WalSync(`${db.name}-wal`) : null;
    if (this.walSync) {
      db.pragma('wal_autocheckpoint = 0');
      // A WAL that once grew (a reader held a snapshot for long) is cut back when it restarts.
      db.pragma(`journal_size_limit = ${WAL_SIZE_LIMIT_BYTES}`);
      this.checkpointer = new WalCheckpointer(db.name, (why) => {
        process.emitWarning(`WAL checkpoints of ${db.name} moved back into the commits: ${why}`);
        if (db.open) db.pragma('wal_autocheckpoint = 1000');
      });
    }
    this.models = new ModelRepository(db, now);
    this.recordings = new RecordingRepository(db, this.models, now);
    this.checkpoints = new CheckpointRepository(db, this.models, now);
    this.pending = new PendingRepository(db, this.models, now, options.maxPendingPerModel ?? DEFAULT_MAX_PENDING);
    this.metrics = new MetricRepository(db, this.models);
    this.evaluations = new EvaluationRepository(db, this.models, now);
  }

  /** Path of the file (`:memory:` for an in-memory store). */
  get path(): string {
    return this.db.name;
  }

  /** False once {@link close} has run. */
  get open(): boolean {
    return this.db.open;
  }

  /**
   * Runs `fn` in one IMMEDIATE transaction: all its store calls commit together or not at all
   * (e.g. save a checkpoint and apply retention). Calls inside nest as savepoints. `fn` must be
   * synchronous: a Promise returned from it would commit before it settles.
   * @returns what `fn` returns; rethrows what it throws (after rolling back).
   */
  transaction<T>(fn: () => T): T {
    return this.db.transaction(fn).immediate();
  }

  /** The connection's settings: schema version, journal mode, synchronous, file size (bytes)… */
  info(): DatabaseInfo {
    return databaseInfo(this.db);
  }

  /** SQLite's integrity and foreign-key checks: `'ok'` or the list of problems. */
  integrityCheck(): 'ok' | string[] {
    return integrityCheck(this.db);
  }

  /**
   * Resolves when every commit made so far survives a power loss: at once, unless the store was
   * opened with {@link StoreOptions.syncOffThread} (then after an fsync of the WAL in the thread pool).
   * @throws the fsync's error: the commits are in the file but may not be on disk.
   */
  durable(): Promise<void> {
    return this.walSync?.sync() ?? Promise.resolve();
  }

  /**
   * Copies committed WAL frames into the database file in the checkpoint thread (a store opened
   * with {@link StoreOptions.syncOffThread}; other stores checkpoint within their commits).
   * @returns the WAL's frames and those copied (-1 each when a checkpoint was already running),
   *   or null when this store has no checkpoint thread (any more).
   */
  checkpointWal(): Promise<WalCheckpointResult | null> {
    return this.checkpointer?.checkpoint() ?? Promise.resolve(null);
  }

  /** Closes the connection (checkpointing the WAL into the main file). Idempotent. */
  close(): void {
    this.checkpointer?.stop();
    if (this.db.open) this.db.close();
    // Closing the connection synced everything; the descriptor goes once syncs in flight end.
    void this.walSync?.close().catch(() => undefined);
  }
}

/**
 * Opens or creates the store file at `file` (parent directories too), applies pragmas (WAL,
 * synchronous, foreign keys, busy timeout) and migrations.
 * @throws StoreError `schema_too_new` if the file comes from newer code; SqliteError if it is
 *   not an SQLite database or cannot be opened.
 */
export function openStore(file: string, options: StoreOptions = {}): Store {
  const database = options.syncOffThread ? { ...options, synchronous: 'NORMAL' as const } : options;
  return new Store(openDatabase(file, database), options);
}
