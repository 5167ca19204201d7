import type Database from 'better-sqlite3';
import type { Clock } from './clock.js';
import { invalidArgument, StoreError } from './errors.js';
import type { ModelRepository } from './models.js';
import {
  objectToJson,
  optionalNumber,
  optionalObjectToJson,
  optionalString,
  parseJsonObject,
  requireInt,
  requireOneOf,
} from './validate.js';

/** Life of an evaluation: created `pending`, then `running`, then `done` or `failed`. */
export type EvaluationStatus = 'pending' | 'running' | 'done' | 'failed';

/** Where the evaluated model starts: fresh weights, or a copy of a checkpoint. */
export type EvaluationStart = 'fresh' | { checkpointId: number };

/**
 * An evaluation to create: replay `recordingId` through a separate instance of `model`'s
 * architecture starting `from`; `speed` is `'max'` (as fast as possible) or a factor of the
 * recorded speed (1 = as recorded); `config` holds the run's other settings.
 */
export interface EvaluationInput {
  model: string;
  recordingId: number;
  from: EvaluationStart;
  speed: 'max' | number;
  config: object;
}

/** Fields {@link EvaluationRepository.update} may change; omitted ones keep their value. */
export interface EvaluationUpdate {
  status?: EvaluationStatus;
  /** fraction done, 0…1 */
  progress?: number;
  report?: object;
  error?: string;
}

/** A stored evaluation. `recordingId` becomes null if the recording is deleted. Times in ms. */
export interface Evaluation {
  id: number;
  model: string;
  recordingId: number | null;
  from: EvaluationStart;
  speed: 'max' | number;
  config: Record<string, unknown>;
  status: EvaluationStatus;
  progress: number;
  report: Record<string, unknown> | null;
  error: string | null;
  createdAt: number;
  updatedAt: number;
}

interface Row {
  id: number;
  model: string;
  recording_id: number | null;
  from_checkpoint: number | null;
  speed: number | null;
  config: string;
  status: EvaluationStatus;
  progress: number;
  report: string | null;
  error: string | null;
  created_at: number;
  updated_at: number;
}

interface UpdateParams {
  id: number;
  status: EvaluationStatus | null;
  progress: number | null;
  report: string | null;
  error: string | null;
  now: number;
}

interface InsertParams {
  model: string;
  recordingId: number;
  fromCheckpoint: number | null;
  speed: number | null;
  config: string;
  now: number;
}

const STATUSES: readonly EvaluationStatus[] = ['pending', 'running', 'done', 'failed'];
const COLUMNS =
  'id, model, recording_id, from_checkpoint, speed, config, status, progress, report, error, created_at, updated_at';

/** The `evaluations` table: replay runs and their reports. */
export class EvaluationRepository {
  private readonly recordingExists: Database.Statement<[number], number>;
  private readonly checkpointModel: Database.Statement<[number], string>;
  private readonly insertRow: Database.Statement<[InsertParams]>;
  private readonly updateRow: Database.Statement<[UpdateParams]>;
  private readonly selectRow: Database.Statement<[number], Row>;
  private readonly selectAll: Database.Statement<[{ model: string | null }], Row>;

  /** Prepares the statements; `models` resolves model names, `now` stamps created/updated. */
  constructor(
    db: Database.Database,
    private readonly models: ModelRepository,
    private readonly now: Clock,
  ) {
    this.recordingExists = db.prepare<[number], number>(`SELECT 1 FROM recordings WHERE id = ?`).pluck();
    this.checkpointModel = db.prepare<[number], string>(`SELECT model FROM checkpoints WHERE id = ?`).pluck();
    this.insertRow = db.prepare(`
      INSERT INTO evaluations (model, recording_id, from_checkpoint, speed, config, status, created_at, updated_at)
      VALUES (@model, @recordingId, @fromCheckpoint, @speed, @config, 'pending', @now, @now)`);
    // COALESCE keeps a column when its field is omitted, so one statement serves every update.
    this.updateRow = db.prepare(`
      UPDATE evaluations SET status = COALESCE(@status, status), progress = COALESCE(@progress, progress),
        report = COALESCE(@report, report), error = COALESCE(@error, error), updated_at = @now
      WHERE id = @id`);
    this.selectRow = db.prepare(`SELECT ${COLUMNS} FROM evaluations WHERE id = ?`);
    this.selectAll = db.prepare(`SELECT ${COLUMNS} FROM evaluations WHERE @model IS NULL OR model = @model ORDER BY id`);
  }

  /**
   * Records a new evaluation with status `pending` and returns its id. The recording may belong
   * to any model; a starting checkpoint must belong to `model`.
   * @throws StoreError `unknown_model`, `unknown_recording`, `unknown_checkpoint`, `invalid_argument`.
   */
  create(input: EvaluationInput): number {
    if (typeof input !== 'object' || input === null) throw invalidArgument('evaluations.create', 'an evaluation', input);
    const model = this.models.require('evaluations.create', input.model);
    const where = `evaluations.create(${model})`;
    const recordingId = requireInt(`${where} recordingId`, input.recordingId, 1);
    if (this.recordingExists.get(recordingId) === undefined) {
      throw new StoreError('unknown_recording', `${where}: no recording with id ${recordingId}`);
    }
    const params: InsertParams = {
      model,
      recordingId,
      fromCheckpoint: this.startCheckpoint(where, model, input.from),
      speed: speedValue(`${where} speed`, input.speed),
      config: objectToJson(`${where} config`, input.config),
      now: this.now(),
    };
    return Number(this.insertRow.run(params).lastInsertRowid);
  }

  /**
   * Changes the given fields and updated_at; returns the updated evaluation.
   * @throws StoreError `unknown_evaluation`, `invalid_argument`.
   */
  update(id: number, patch: EvaluationUpdate): Evaluation {
    const where = `evaluations.update(${String(id)})`;
    requireInt(`${where} id`, id, 1);
    if (typeof patch !== 'object' || patch === null) throw invalidArgument(`${where} patch`, 'an object', patch);
    const progress = optionalNumber(`${where} progress`, patch.progress);
    if (progress !== null && (progress < 0 || progress > 1)) throw invalidArgument(`${where} progress`, 'a fraction in [0, 1]', progress);
    const params: UpdateParams = {
      id,
      status: patch.status === undefined ? null : requireOneOf(`${where} status`, patch.status, STATUSES),
      progress,
      report: optionalObjectToJson(`${where} report`, patch.report),
      error: optionalString(`${where} error`, patch.error, 10_000),
      now: this.now(),
    };
    if (this.updateRow.run(params).changes === 0) throw unknownEvaluation('evaluations.update', id);
    return this.get(id);
  }

  /** One evaluation. @throws StoreError `unknown_evaluation`, `invalid_argument`. */
  get(id: number): Evaluation {
    const row = this.selectRow.get(requireInt('evaluations.get(id)', id, 1));
    if (!row) throw unknownEvaluation('evaluations.get', id);
    return toEvaluation(row);
  }

  /** All evaluations (of one model if given), oldest first. @throws StoreError `unknown_model`. */
  list(model?: string): Evaluation[] {
    if (model !== undefined) this.models.require('evaluations.list', model);
    return this.selectAll.all({ model: model ?? null }).map(toEvaluation);
  }

  /** The checkpoint id to store for `from` (null = fresh), checked to belong to `model`. */
  private startCheckpoint(where: string, model: string, from: EvaluationStart): number | null {
    if (from === 'fresh') return null;
    if (typeof from !== 'object' || from === null) {
      throw invalidArgument(`${where} from`, '"fresh" or { checkpointId }', from);
    }
    const id = requireInt(`${where} from.checkpointId`, from.checkpointId, 1);
    if (this.checkpointModel.get(id) !== model) {
      throw new StoreError('unknown_checkpoint', `${where}: model "${model}" has no checkpoint with id ${id}`);
    }
    return id;
  }
}

/** `'max'` → NULL; otherwise a positive, finite factor. */
function speedValue(where: string, speed: unknown): number | null {
  if (speed === 'max') return null;
  if (typeof speed !== 'number' || !Number.isFinite(speed) || speed <= 0) {
    throw invalidArgument(where, '"max" or a positive number', speed);
  }
  return speed;
}

function toEvaluation(row: Row): Evaluation {
  return {
    id: row.id,
    model: row.model,
    recordingId: row.recording_id,
    from: row.from_checkpoint === null ? 'fresh' : { checkpointId: row.from_checkpoint },
    speed: row.speed ?? 'max',
    config: parseJsonObject(row.config) ?? {},
    status: row.status,
    progress: row.progress,
    report: parseJsonObject(row.report),
    error: row.error,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

function unknownEvaluation(where: string, id: number): StoreError {
  return new StoreError('unknown_evaluation', `${where}: no evaluation with id ${id}`);
}
