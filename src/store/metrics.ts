import type Database from 'better-sqlite3';
import { invalidArgument } from './errors.js';
import type { ModelRepository } from './models.js';
import {
  optionalInt,
  optionalNumber,
  optionalObjectToJson,
  parseJsonObject,
  requireInt,
  requireOneOf,
  requireString,
} from './validate.js';

/**
 * One layer's figures for one metrics window. `layer` names the propagator (`signal`,
 * `hidden1`, …, `output`, or e.g. `prequential`). `loss`/`accuracy` may be null (not measured);
 * a NaN would be stored by SQLite as NULL, so it is rejected — put diverged values in `extra`.
 */
export interface MetricInput {
  layer: string;
  loss: number | null;
  accuracy: number | null;
  samples: number;
  extra?: object | null;
}

/** A stored metrics row. `window` is the caller's window number; `time` its end, ms since epoch. */
export interface MetricRow {
  id: number;
  model: string;
  window: number;
  time: number;
  layer: string;
  loss: number | null;
  accuracy: number | null;
  samples: number;
  extra: Record<string, unknown> | null;
}

/** Filters for {@link MetricRepository.query}. `since` is inclusive, ms; `order` defaults to `desc`. */
export interface MetricQuery {
  layer?: string;
  since?: number;
  limit?: number;
  order?: 'asc' | 'desc';
}

interface Row {
  id: number;
  model: string;
  window_no: number;
  time: number;
  layer: string;
  loss: number | null;
  accuracy: number | null;
  samples: number;
  extra: string | null;
}

type InsertParams = [string, number, number, string, number | null, number | null, number, string | null];

interface QueryParams {
  model: string;
  layer: string | null;
  since: number;
  limit: number;
}

const COLUMNS = 'id, model, window_no, time, layer, loss, accuracy, samples, extra';
const FILTER = 'model = @model AND (@layer IS NULL OR layer = @layer) AND time >= @since';

/** The `metrics` table: per-window, per-layer training figures of each model. */
export class MetricRepository {
  private readonly insertRow: Database.Statement<InsertParams>;
  private readonly selectAsc: Database.Statement<[QueryParams], Row>;
  private readonly selectDesc: Database.Statement<[QueryParams], Row>;
  private readonly selectLatest: Database.Statement<[string], Row>;
  private readonly insertTx: Database.Transaction<(rows: InsertParams[]) => void>;

  /** Prepares the statements; `models` resolves model names. */
  constructor(
    db: Database.Database,
    private readonly models: ModelRepository,
  ) {
    this.insertRow = db.prepare(`
      INSERT INTO metrics (model, window_no, time, layer, loss, accuracy, samples, extra)
      VALUES (?, ?, ?, ?, ?, ?, ?, ?)`);
    // ORDER BY cannot be a parameter, hence one statement per direction.
    this.selectAsc = db.prepare(`SELECT ${COLUMNS} FROM metrics WHERE ${FILTER} ORDER BY time, id LIMIT @limit`);
    this.selectDesc = db.prepare(
      `SELECT ${COLUMNS} FROM metrics WHERE ${FILTER} ORDER BY time DESC, id DESC LIMIT @limit`,
    );
    // The rows written together with the newest row: same window number and time.
    this.selectLatest = db.prepare(`
      SELECT ${COLUMNS} FROM metrics m
      WHERE (m.model, m.window_no, m.time) =
        (SELECT model, window_no, time FROM metrics WHERE model = ? ORDER BY time DESC, id DESC LIMIT 1)
      ORDER BY id`);
    this.insertTx = db.transaction((rows: InsertParams[]) => {
      for (const row of rows) this.insertRow.run(...row);
    });
  }

  /**
   * Inserts one window's rows (one per layer) in one transaction.
   * @param window the window number (integer ≥ 0); @param time ms since epoch.
   * @throws StoreError `unknown_model`, `invalid_argument` (nothing is written then).
   */
  insertWindow(model: string, window: number, time: number, rows: readonly MetricInput[]): void {
    this.models.require('metrics.insertWindow', model);
    const where = `metrics.insertWindow(${model})`;
    requireInt(`${where} window`, window);
    requireInt(`${where} time`, time);
    if (!Array.isArray(rows)) throw invalidArgument(`${where} rows`, 'an array of metric rows', rows);
    const params = rows.map((row, i): InsertParams => {
      const at = `${where} rows[${i}]`;
      if (typeof row !== 'object' || row === null) throw invalidArgument(at, 'a metric row', row);
      return [
        model,
        window,
        time,
        requireString(`${at}.layer`, row.layer, 64),
        optionalNumber(`${at}.loss`, row.loss),
        optionalNumber(`${at}.accuracy`, row.accuracy),
        requireInt(`${at}.samples`, row.samples),
        optionalObjectToJson(`${at}.extra`, row.extra),
      ];
    });
    this.insertTx.immediate(params);
  }

  /**
   * A model's rows filtered by {@link MetricQuery}, newest first unless `order: 'asc'`.
   * @throws StoreError `unknown_model`, `invalid_argument`.
   */
  query(model: string, options: MetricQuery = {}): MetricRow[] {
    this.models.require('metrics.query', model);
    const where = `metrics.query(${model})`;
    if (typeof options !== 'object' || options === null) throw invalidArgument(`${where} options`, 'an object', options);
    const order = requireOneOf(`${where} order`, options.order ?? 'desc', ['asc', 'desc'] as const);
    const params: QueryParams = {
      model,
      layer: options.layer === undefined ? null : requireString(`${where} layer`, options.layer, 64),
      since: optionalInt(`${where} since`, options.since) ?? 0,
      // SQLite reads a negative LIMIT as "no limit".
      limit: optionalInt(`${where} limit`, options.limit) ?? -1,
    };
    return (order === 'asc' ? this.selectAsc : this.selectDesc).all(params).map(toMetric);
  }

  /** The rows of the model's newest window (all layers, insertion order); [] if none. @throws `unknown_model`. */
  latest(model: string): MetricRow[] {
    return this.selectLatest.all(this.models.require('metrics.latest', model)).map(toMetric);
  }
}

function toMetric(row: Row): MetricRow {
  return {
    id: row.id,
    model: row.model,
    window: row.window_no,
    time: row.time,
    layer: row.layer,
    loss: row.loss,
    accuracy: row.accuracy,
    samples: row.samples,
    extra: parseJsonObject(row.extra),
  };
}
