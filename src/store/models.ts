import type Database from 'better-sqlite3';
import type { Clock } from './clock.js';
import { isSqliteError, StoreError } from './errors.js';
import { objectToJson, parseJsonObject, requireName } from './validate.js';

/** A model: its name and the JSON config it was created from. Times in ms since epoch. */
export interface Model {
  name: string;
  config: Record<string, unknown>;
  createdAt: number;
  updatedAt: number;
}

interface ModelRow {
  name: string;
  config: string;
  created_at: number;
  updated_at: number;
}

const COLUMNS = 'name, config, created_at, updated_at';

/**
 * The `models` table. A model owns everything else (recordings, checkpoints, pending
 * predictions, metrics, evaluations): deleting it deletes all of that through foreign keys.
 */
export class ModelRepository {
  private readonly insertRow: Database.Statement<[string, string, number, number]>;
  private readonly selectRow: Database.Statement<[string], ModelRow>;
  private readonly selectAll: Database.Statement<[], ModelRow>;
  private readonly updateRow: Database.Statement<[string, number, string]>;
  private readonly deleteRow: Database.Statement<[string]>;

  /** Prepares the statements; `now` stamps created_at / updated_at. */
  constructor(
    db: Database.Database,
    private readonly now: Clock,
  ) {
    this.insertRow = db.prepare(`INSERT INTO models (name, config, created_at, updated_at) VALUES (?, ?, ?, ?)`);
    this.selectRow = db.prepare(`SELECT ${COLUMNS} FROM models WHERE name = ?`);
    this.selectAll = db.prepare(`SELECT ${COLUMNS} FROM models ORDER BY created_at, name`);
    this.updateRow = db.prepare(`UPDATE models SET config = ?, updated_at = ? WHERE name = ?`);
    this.deleteRow = db.prepare(`DELETE FROM models WHERE name = ?`);
  }

  /**
   * Creates a model and (by trigger, in the same statement) its live recording.
   * @param name matches /^[A-Za-z0-9_-]{1,64}$/.
   * @param config a JSON object, stored as text.
   * @throws StoreError `invalid_argument`; `duplicate_model` if the name is taken.
   */
  create(name: string, config: object): Model {
    requireName('models.create(name)', name);
    const json = objectToJson(`models.create(${name}, config)`, config);
    const now = this.now();
    try {
      this.insertRow.run(name, json, now, now);
    } catch (err) {
      if (isSqliteError(err, 'SQLITE_CONSTRAINT_PRIMARYKEY')) {
        throw new StoreError('duplicate_model', `models.create: a model named "${name}" already exists`);
      }
      throw err;
    }
    return { name, config: JSON.parse(json) as Record<string, unknown>, createdAt: now, updatedAt: now };
  }

  /** The model called `name`, or null. @throws StoreError `invalid_argument` for a malformed name. */
  find(name: string): Model | null {
    const row = this.selectRow.get(requireName('models.find(name)', name));
    return row ? toModel(row) : null;
  }

  /** The model called `name`. @throws StoreError `unknown_model`, `invalid_argument`. */
  get(name: string): Model {
    const model = this.find(name);
    if (!model) throw unknownModel('models.get', name);
    return model;
  }

  /**
   * Checks that a model exists; the other repositories call it before writing rows that belong
   * to one, so callers get `unknown_model` rather than a foreign-key failure. Returns `name`.
   * @param where the calling method, for the error message.
   * @throws StoreError `unknown_model`, `invalid_argument`.
   */
  require(where: string, name: string): string {
    if (!this.selectRow.get(requireName(`${where}(model)`, name))) throw unknownModel(where, name);
    return name;
  }

  /** All models, oldest first. */
  list(): Model[] {
    return this.selectAll.all().map(toModel);
  }

  /**
   * Replaces a model's config and bumps updated_at.
   * @throws StoreError `unknown_model`, `invalid_argument`.
   */
  updateConfig(name: string, config: object): Model {
    requireName('models.updateConfig(name)', name);
    const json = objectToJson(`models.updateConfig(${name}, config)`, config);
    if (this.updateRow.run(json, this.now(), name).changes === 0) throw unknownModel('models.updateConfig', name);
    return this.get(name);
  }

  /**
   * Deletes a model and, by cascade, its recordings and samples, checkpoints, pending
   * predictions, metrics and evaluations — in one statement, hence atomically.
   * @throws StoreError `unknown_model`, `invalid_argument`.
   */
  delete(name: string): void {
    requireName('models.delete(name)', name);
    if (this.deleteRow.run(name).changes === 0) throw unknownModel('models.delete', name);
  }
}

function toModel(row: ModelRow): Model {
  return {
    name: row.name,
    config: parseJsonObject(row.config) ?? {},
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

function unknownModel(where: string, name: string): StoreError {
  return new StoreError('unknown_model', `${where}: no model named "${name}"`);
}
