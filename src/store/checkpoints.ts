import type Database from 'better-sqlite3';
import type { Clock } from './clock.js';
import { invalidArgument, StoreError } from './errors.js';
import type { ModelRepository } from './models.js';
import { optionalInt, optionalObjectToJson, parseJsonObject, requireBytes, requireInt, requireString } from './validate.js';

/** Why a checkpoint was written; other strings are allowed for callers' own reasons. */
export type CheckpointReason = 'periodic' | 'manual' | 'shutdown' | (string & {});

/**
 * A checkpoint to save.
 * - `step`: optimizer steps taken; `samples`: labelled samples learnt; `lastSeq`: seq of the last
 *   live-recording sample the weights include (0 if none).
 * - `bytes`: the serialised weights; `meta`: optional JSON (e.g. the weights manifest).
 * - `createdAt`: ms since epoch, default now.
 */
export interface CheckpointInput {
  step: number;
  samples: number;
  lastSeq: number;
  bytes: Uint8Array;
  reason: CheckpointReason;
  meta?: object | null;
  createdAt?: number;
}

/**
 * A checkpoint without its bytes. `ordinal` is its 1-based position among all checkpoints ever
 * saved for the model (not reused after deletions); `size` is `bytes.byteLength`.
 */
export interface CheckpointInfo {
  id: number;
  model: string;
  ordinal: number;
  step: number;
  samples: number;
  lastSeq: number;
  size: number;
  reason: string;
  meta: Record<string, unknown> | null;
  createdAt: number;
}

/** A checkpoint with its bytes. */
export interface Checkpoint extends CheckpointInfo {
  bytes: Uint8Array;
}

/** Keep the newest `keepLast` (≥ 1) checkpoints plus every one whose ordinal is a multiple of `keepEvery`. */
export interface RetentionPolicy {
  keepLast: number;
  keepEvery?: number;
}

interface InfoRow {
  id: number;
  model: string;
  ordinal: number;
  step: number;
  samples: number;
  last_seq: number;
  size: number;
  reason: string;
  meta: string | null;
  created_at: number;
}

interface FullRow extends InfoRow {
  bytes: Buffer;
}

type InsertParams = [string, number, number, number, number, string, number, string | null, number, Uint8Array];

// Without `bytes`: listing never reads the blobs (they are stored last, in overflow pages).
const INFO_COLUMNS = 'id, model, ordinal, step, samples, last_seq, size, reason, meta, created_at';

/** The `checkpoints` table: model weights, saved atomically, listed cheaply, pruned by policy. */
export class CheckpointRepository {
  private readonly bumpOrdinal: Database.Statement<[string], number>;
  private readonly insertRow: Database.Statement<InsertParams>;
  private readonly selectInfos: Database.Statement<[string], InfoRow>;
  private readonly selectFull: Database.Statement<[number], FullRow>;
  private readonly selectLatest: Database.Statement<[string], FullRow>;
  private readonly deleteRow: Database.Statement<[number]>;
  private readonly deleteByPolicy: Database.Statement<[{ model: string; keepLast: number; keepEvery: number | null }], number>;
  private readonly saveTx: Database.Transaction<(model: string, params: InsertParams) => CheckpointInfo>;

  /** Prepares the statements; `models` resolves model names, `now` is the default createdAt. */
  constructor(
    db: Database.Database,
    private readonly models: ModelRepository,
    private readonly now: Clock,
  ) {
    this.bumpOrdinal = db
      .prepare<[string], number>(`UPDATE models SET checkpoints_saved = checkpoints_saved + 1 WHERE name = ? RETURNING checkpoints_saved`)
      .pluck();
    this.insertRow = db.prepare(`
      INSERT INTO checkpoints (model, ordinal, step, samples, last_seq, reason, size, meta, created_at, bytes)
      VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`);
    this.selectInfos = db.prepare(`SELECT ${INFO_COLUMNS} FROM checkpoints WHERE model = ? ORDER BY ordinal`);
    this.selectFull = db.prepare(`SELECT ${INFO_COLUMNS}, bytes FROM checkpoints WHERE id = ?`);
    this.selectLatest = db.prepare(
      `SELECT ${INFO_COLUMNS}, bytes FROM checkpoints WHERE model = ? ORDER BY ordinal DESC LIMIT 1`,
    );
    this.deleteRow = db.prepare(`DELETE FROM checkpoints WHERE id = ?`);
    this.deleteByPolicy = db
      .prepare<[{ model: string; keepLast: number; keepEvery: number | null }], number>(`
        DELETE FROM checkpoints WHERE model = @model
          AND id NOT IN (SELECT id FROM checkpoints WHERE model = @model ORDER BY ordinal DESC LIMIT @keepLast)
          AND (@keepEvery IS NULL OR ordinal % @keepEvery != 0)
        RETURNING id`)
      .pluck();
    this.saveTx = db.transaction((model: string, params: InsertParams) => this.insert(model, params));
  }

  /**
   * Saves a checkpoint in one transaction: after a crash the model has either its previous set of
   * checkpoints or that set plus this one, never a partial row. Returns it without bytes.
   * @throws StoreError `unknown_model`, `invalid_argument`.
   */
  save(model: string, input: CheckpointInput): CheckpointInfo {
    this.models.require('checkpoints.save', model);
    const where = `checkpoints.save(${model})`;
    if (typeof input !== 'object' || input === null) throw invalidArgument(where, 'a checkpoint object', input);
    const bytes = requireBytes(`${where} bytes`, input.bytes);
    const params: InsertParams = [
      model,
      0, // ordinal, assigned inside the transaction
      requireInt(`${where} step`, input.step),
      requireInt(`${where} samples`, input.samples),
      requireInt(`${where} lastSeq`, input.lastSeq),
      requireString(`${where} reason`, input.reason, 64),
      bytes.byteLength,
      optionalObjectToJson(`${where} meta`, input.meta),
      optionalInt(`${where} createdAt`, input.createdAt) ?? this.now(),
      bytes,
    ];
    return this.saveTx.immediate(model, params);
  }

  /** A model's checkpoints without bytes, oldest first. @throws StoreError `unknown_model`. */
  list(model: string): CheckpointInfo[] {
    return this.selectInfos.all(this.models.require('checkpoints.list', model)).map(toInfo);
  }

  /** A checkpoint with its bytes. @throws StoreError `unknown_checkpoint`, `invalid_argument`. */
  get(id: number): Checkpoint {
    const row = this.selectFull.get(requireInt('checkpoints.get(id)', id, 1));
    if (!row) throw unknownCheckpoint('checkpoints.get', id);
    return toCheckpoint(row);
  }

  /** The model's newest checkpoint with bytes, or null if it has none. @throws StoreError `unknown_model`. */
  latest(model: string): Checkpoint | null {
    const row = this.selectLatest.get(this.models.require('checkpoints.latest', model));
    return row ? toCheckpoint(row) : null;
  }

  /** Deletes one checkpoint. @throws StoreError `unknown_checkpoint`, `invalid_argument`. */
  delete(id: number): void {
    if (this.deleteRow.run(requireInt('checkpoints.delete(id)', id, 1)).changes === 0) {
      throw unknownCheckpoint('checkpoints.delete', id);
    }
  }

  /**
   * Deletes the model's checkpoints that the policy does not keep (see {@link RetentionPolicy};
   * ordinals count every checkpoint ever saved, so applying a policy twice deletes nothing more).
   * One statement, hence atomic. Returns the deleted ids, ascending.
   * @throws StoreError `unknown_model`, `invalid_argument`.
   */
  applyRetention(model: string, policy: RetentionPolicy): number[] {
    this.models.require('checkpoints.applyRetention', model);
    const where = `checkpoints.applyRetention(${model})`;
    if (typeof policy !== 'object' || policy === null) throw invalidArgument(where, 'a retention policy', policy);
    // keepLast ≥ 1: a policy must never delete the checkpoint a restart would restore.
    const keepLast = requireInt(`${where} keepLast`, policy.keepLast, 1);
    const keepEvery = optionalInt(`${where} keepEvery`, policy.keepEvery, 1);
    return this.deleteByPolicy.all({ model, keepLast, keepEvery }).sort((a, b) => a - b);
  }

  private insert(model: string, params: InsertParams): CheckpointInfo {
    params[1] = this.bumpOrdinal.get(model) as number;
    const id = Number(this.insertRow.run(...params).lastInsertRowid);
    const [, ordinal, step, samples, lastSeq, reason, size, meta, createdAt] = params;
    return { id, model, ordinal, step, samples, lastSeq, size, reason, meta: parseJsonObject(meta), createdAt };
  }
}

function toInfo(row: InfoRow): CheckpointInfo {
  return {
    id: row.id,
    model: row.model,
    ordinal: row.ordinal,
    step: row.step,
    samples: row.samples,
    lastSeq: row.last_seq,
    size: row.size,
    reason: row.reason,
    meta: parseJsonObject(row.meta),
    createdAt: row.created_at,
  };
}

function toCheckpoint(row: FullRow): Checkpoint {
  return { ...toInfo(row), bytes: row.bytes };
}

function unknownCheckpoint(where: string, id: number): StoreError {
  return new StoreError('unknown_checkpoint', `${where}: no checkpoint with id ${id}`);
}
