import type Database from 'better-sqlite3';
import type { Clock } from './clock.js';
import { invalidArgument, isSqliteError, StoreError } from './errors.js';
import { decodeFloat32, encodeFloat32 } from './float32.js';
import type { ModelRepository } from './models.js';
import { requireFloat32, requireInt, requireString } from './validate.js';

/**
 * A prediction waiting for its delayed label: the input it was made on, the model step that made
 * it, and when it stops accepting a label (times in ms since epoch).
 */
export interface PendingPrediction {
  predictionId: string;
  model: string;
  x: Float32Array;
  step: number;
  createdAt: number;
  expiresAt: number;
}

/** Outcome of {@link PendingRepository.take}; `code` is the error code a server answers with. */
export type TakeResult =
  | { ok: true; pending: PendingPrediction }
  | { ok: false; code: 'unknown_prediction' | 'expired_prediction'; message: string };

interface PendingRow {
  prediction_id: string;
  model: string;
  step: number;
  created_at: number;
  expires_at: number;
  x: Buffer;
}

type InsertParams = [string, string, number, number, number, Buffer];

const COLUMNS = 'prediction_id, model, step, created_at, expires_at, x';

/** Default bound on pending predictions per model (10 000 × 784 floats ≈ 31 MB). */
export const DEFAULT_MAX_PENDING = 10_000;

/**
 * The `pending` table: predictions kept so that a later label can be learnt on their input.
 * Bounded per model: when a model is at its bound, `put` evicts its oldest rows (by createdAt)
 * first, so a client that never sends labels cannot grow the file without limit.
 */
export class PendingRepository {
  private readonly countRows: Database.Statement<[string], number>;
  private readonly evictOldest: Database.Statement<[string, number], string>;
  private readonly insertRow: Database.Statement<InsertParams>;
  private readonly takeRow: Database.Statement<[string], PendingRow>;
  private readonly purgeRows: Database.Statement<[number]>;
  private readonly putTx: Database.Transaction<(params: InsertParams, maxPending: number) => string[]>;

  /**
   * Prepares the statements.
   * @param defaultMaxPending bound per model used when `put` is not given one.
   */
  constructor(
    db: Database.Database,
    private readonly models: ModelRepository,
    private readonly now: Clock,
    private readonly defaultMaxPending = DEFAULT_MAX_PENDING,
  ) {
    requireInt('PendingRepository maxPending', defaultMaxPending, 1);
    this.countRows = db.prepare<[string], number>(`SELECT pending_count FROM models WHERE name = ?`).pluck();
    this.evictOldest = db
      .prepare<[string, number], string>(`
        DELETE FROM pending WHERE prediction_id IN
          (SELECT prediction_id FROM pending WHERE model = ? ORDER BY created_at, rowid LIMIT ?)
        RETURNING prediction_id`)
      .pluck();
    this.insertRow = db.prepare(`INSERT INTO pending (${COLUMNS}) VALUES (?, ?, ?, ?, ?, ?)`);
    // DELETE … RETURNING reads and removes in one statement: a label can be taken only once.
    this.takeRow = db.prepare(`DELETE FROM pending WHERE prediction_id = ? RETURNING ${COLUMNS}`);
    this.purgeRows = db.prepare(`DELETE FROM pending WHERE expires_at <= ?`);
    this.putTx = db.transaction((params: InsertParams, maxPending: number) => this.insert(params, maxPending));
  }

  /**
   * Stores a pending prediction. If its model already has `maxPending` rows, the oldest are
   * deleted first (same transaction). Returns the evicted prediction ids (usually none).
   * @throws StoreError `unknown_model`, `duplicate_prediction`, `invalid_argument`.
   */
  put(entry: PendingPrediction, maxPending = this.defaultMaxPending): string[] {
    if (typeof entry !== 'object' || entry === null) throw invalidArgument('pending.put', 'a pending prediction', entry);
    const model = this.models.require('pending.put', entry.model);
    const where = `pending.put(${model})`;
    const params: InsertParams = [
      requireString(`${where} predictionId`, entry.predictionId),
      model,
      requireInt(`${where} step`, entry.step),
      requireInt(`${where} createdAt`, entry.createdAt),
      requireInt(`${where} expiresAt`, entry.expiresAt),
      encodeFloat32(requireFloat32(`${where} x`, entry.x)),
    ];
    return this.putTx.immediate(params, requireInt(`${where} maxPending`, maxPending, 1));
  }

  /**
   * Removes a pending prediction and returns it, atomically (a second take of the same id gets
   * `unknown_prediction`). A row whose `expiresAt` ≤ `now` is removed too but reported as
   * `expired_prediction`. After {@link purgeExpired} removed a row, its id is `unknown_prediction`.
   * @param now ms since epoch, default the store clock.
   */
  take(predictionId: string, now = this.now()): TakeResult {
    requireString('pending.take(predictionId)', predictionId);
    const row = this.takeRow.get(predictionId);
    if (!row) {
      return { ok: false, code: 'unknown_prediction', message: `no pending prediction with id "${predictionId}"` };
    }
    if (row.expires_at <= now) {
      const message = `prediction "${predictionId}" expired at ${new Date(row.expires_at).toISOString()}`;
      return { ok: false, code: 'expired_prediction', message };
    }
    return { ok: true, pending: toPending(row) };
  }

  /** Deletes every row with `expiresAt` ≤ `now` (ms); returns how many. */
  purgeExpired(now = this.now()): number {
    return this.purgeRows.run(requireInt('pending.purgeExpired(now)', now)).changes;
  }

  /** Number of pending predictions of a model. @throws StoreError `unknown_model`. */
  count(model: string): number {
    return this.countRows.get(this.models.require('pending.count', model)) ?? 0;
  }

  private insert(params: InsertParams, maxPending: number): string[] {
    const excess = (this.countRows.get(params[1]) ?? 0) - maxPending + 1;
    const evicted = excess > 0 ? this.evictOldest.all(params[1], excess) : [];
    try {
      this.insertRow.run(...params);
    } catch (err) {
      if (isSqliteError(err, 'SQLITE_CONSTRAINT_PRIMARYKEY')) {
        throw new StoreError('duplicate_prediction', `pending.put: prediction id "${params[0]}" is already pending`);
      }
      throw err;
    }
    return evicted;
  }
}

function toPending(row: PendingRow): PendingPrediction {
  return {
    predictionId: row.prediction_id,
    model: row.model,
    x: decodeFloat32(row.x, `pending prediction "${row.prediction_id}"`),
    step: row.step,
    createdAt: row.created_at,
    expiresAt: row.expires_at,
  };
}
