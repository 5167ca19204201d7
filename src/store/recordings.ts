import type Database from 'better-sqlite3';
import type { Clock } from './clock.js';
import { invalidArgument, isSqliteError, StoreError } from './errors.js';
import type { ModelRepository } from './models.js';
import {
  SAMPLE_COLUMNS,
  SAMPLE_KINDS,
  toSample,
  toSampleBinding,
  type Sample,
  type SampleBinding,
  type SampleInput,
  type SampleKind,
  type SampleRow,
} from './samples.js';
import { requireInt, requireName, requireOneOf, requireString } from './validate.js';

/** A recording: an append-only log of samples. Each model has exactly one `live` recording. */
export interface Recording {
  id: number;
  model: string;
  name: string;
  live: boolean;
  createdAt: number;
}

/** A recording with its size: sample count, last seq, and times (ms) of its first and last sample. */
export interface RecordingSummary extends Recording {
  count: number;
  lastSeq: number;
  firstTime: number | null;
  lastTime: number | null;
}

/** Outcome of appending one item: its seq, and whether it was already there (same clientId). */
export interface AppendResult {
  seq: number;
  duplicate: boolean;
}

/** Which samples to read. Bounds are inclusive; `kinds` keeps only those kinds. */
export interface ReadOptions {
  fromSeq?: number;
  toSeq?: number;
  limit?: number;
  kinds?: readonly SampleKind[];
}

/** {@link ReadOptions} plus the number of rows fetched per query by {@link RecordingRepository.iterate}. */
export interface IterateOptions extends ReadOptions {
  pageSize?: number;
}

interface RecordingRow {
  id: number;
  model: string;
  name: string;
  live: number;
  created_at: number;
}

interface SummaryRow extends RecordingRow {
  count: number;
  last_seq: number;
  first_time: number | null;
  last_time: number | null;
}

interface RangeParams {
  id: number;
  fromSeq: number;
  toSeq: number;
  limit: number;
  kinds: string | null;
}

const RECORDING_COLUMNS = 'id, model, name, live, created_at';
const DEFAULT_PAGE_SIZE = 1000;

/**
 * The `recordings` and `samples` tables. Every accepted item of a model is appended to its live
 * recording; other recordings (imports, copies) are created by name.
 */
export class RecordingRepository {
  private readonly insertRecording: Database.Statement<[string, string, number]>;
  private readonly selectRecording: Database.Statement<[number], RecordingRow>;
  private readonly selectLive: Database.Statement<[string], RecordingRow>;
  private readonly selectSummaries: Database.Statement<[{ model: string | null }], SummaryRow>;
  private readonly deleteRecording: Database.Statement<[number]>;
  private readonly selectLastSeq: Database.Statement<[number], number>;
  private readonly insertSample: Database.Statement<[number, number, ...SampleBinding]>;
  private readonly selectSeqByClient: Database.Statement<[number, string], number>;
  private readonly selectRange: Database.Statement<[RangeParams], SampleRow>;
  private readonly countSamples: Database.Statement<[{ id: number; kinds: string | null }], number>;
  private readonly appendAll: Database.Transaction<(id: number, rows: SampleBinding[]) => AppendResult[]>;

  /** Prepares the statements; `models` resolves model names, `now` stamps created_at. */
  constructor(
    db: Database.Database,
    private readonly models: ModelRepository,
    private readonly now: Clock,
  ) {
    this.insertRecording = db.prepare(`INSERT INTO recordings (model, name, live, created_at) VALUES (?, ?, 0, ?)`);
    this.selectRecording = db.prepare(`SELECT ${RECORDING_COLUMNS} FROM recordings WHERE id = ?`);
    this.selectLive = db.prepare(`SELECT ${RECORDING_COLUMNS} FROM recordings WHERE model = ? AND live = 1`);
    // Correlated subqueries walk the (recording_id, seq) index instead of grouping every sample.
    this.selectSummaries = db.prepare(`
      SELECT ${RECORDING_COLUMNS},
        (SELECT COUNT(*) FROM samples s WHERE s.recording_id = r.id) AS count,
        (SELECT COALESCE(MAX(seq), 0) FROM samples s WHERE s.recording_id = r.id) AS last_seq,
        (SELECT time FROM samples s WHERE s.recording_id = r.id ORDER BY seq LIMIT 1) AS first_time,
        (SELECT time FROM samples s WHERE s.recording_id = r.id ORDER BY seq DESC LIMIT 1) AS last_time
      FROM recordings r WHERE @model IS NULL OR r.model = @model ORDER BY r.id`);
    this.deleteRecording = db.prepare(`DELETE FROM recordings WHERE id = ?`);
    this.selectLastSeq = db.prepare<[number], number>(`SELECT COALESCE(MAX(seq), 0) FROM samples WHERE recording_id = ?`).pluck();
    // Only the clientId uniqueness is an expected conflict; any other constraint still throws.
    this.insertSample = db.prepare(`
      INSERT INTO samples (recording_id, seq, time, kind, label, prediction_id, client_id, x)
      VALUES (?, ?, ?, ?, ?, ?, ?, ?)
      ON CONFLICT (recording_id, client_id) WHERE client_id IS NOT NULL DO NOTHING`);
    this.selectSeqByClient = db
      .prepare<[number, string], number>(`SELECT seq FROM samples WHERE recording_id = ? AND client_id = ?`)
      .pluck();
    // kinds is a JSON array (or NULL for all kinds) so one prepared statement serves every filter.
    this.selectRange = db.prepare(`
      SELECT ${SAMPLE_COLUMNS} FROM samples
      WHERE recording_id = @id AND seq BETWEEN @fromSeq AND @toSeq
        AND (@kinds IS NULL OR kind IN (SELECT value FROM json_each(@kinds)))
      ORDER BY seq LIMIT @limit`);
    this.countSamples = db
      .prepare<[{ id: number; kinds: string | null }], number>(`
        SELECT COUNT(*) FROM samples WHERE recording_id = @id
          AND (@kinds IS NULL OR kind IN (SELECT value FROM json_each(@kinds)))`)
      .pluck();
    this.appendAll = db.transaction((id: number, rows: SampleBinding[]) => this.appendRows(id, rows));
  }

  /**
   * The live recording of a model (created with the model).
   * @throws StoreError `unknown_model`, `invalid_argument`.
   */
  live(model: string): Recording {
    const row = this.selectLive.get(this.models.require('recordings.live', model));
    // The trigger on models guarantees the row; its absence means a file edited by hand.
    if (!row) throw new StoreError('corrupt_data', `recordings.live: model "${model}" has no live recording`);
    return toRecording(row);
  }

  /**
   * Creates an additional (not live) recording of a model, e.g. for an import.
   * @param name matches /^[A-Za-z0-9_-]{1,64}$/, unique per model ("live" is taken).
   * @throws StoreError `unknown_model`, `duplicate_recording`, `invalid_argument`.
   */
  create(model: string, name: string): Recording {
    this.models.require('recordings.create', model);
    requireName('recordings.create(name)', name);
    let id: number;
    try {
      id = Number(this.insertRecording.run(model, name, this.now()).lastInsertRowid);
    } catch (err) {
      if (isSqliteError(err, 'SQLITE_CONSTRAINT_UNIQUE')) {
        throw new StoreError('duplicate_recording', `recordings.create: model "${model}" already has a recording "${name}"`);
      }
      throw err;
    }
    return this.get(id);
  }

  /** The recording with this id. @throws StoreError `unknown_recording`, `invalid_argument`. */
  get(id: number): Recording {
    return toRecording(this.requireRow('recordings.get', id));
  }

  /** All recordings (of one model if given), by id, with counts, last seq and first/last times (ms). */
  list(model?: string): RecordingSummary[] {
    if (model !== undefined) this.models.require('recordings.list', model);
    return this.selectSummaries.all({ model: model ?? null }).map(toSummary);
  }

  /**
   * Deletes a non-live recording and its samples (the live one goes only with its model).
   * @throws StoreError `unknown_recording`, `live_recording`, `invalid_argument`.
   */
  delete(id: number): void {
    const row = this.requireRow('recordings.delete', id);
    if (row.live) {
      throw new StoreError('live_recording', `recordings.delete: recording ${id} is the live recording of "${row.model}"`);
    }
    this.deleteRecording.run(id);
  }

  /**
   * Appends a batch in ONE transaction (all or nothing; durable when it returns) and returns, per
   * item and in order, its seq. Seqs continue from the recording's last seq without gaps. An item
   * whose clientId is already in the recording (from an earlier call or earlier in the same batch)
   * is not inserted again: its result is the existing seq with `duplicate: true`.
   * @throws StoreError `unknown_recording`, `invalid_argument` (nothing is written then).
   */
  append(recordingId: number, items: readonly SampleInput[]): AppendResult[] {
    const where = `recordings.append(${String(recordingId)})`;
    requireInt(`${where} recordingId`, recordingId, 1);
    if (!Array.isArray(items)) throw invalidArgument(`${where} items`, 'an array of samples', items);
    const rows = items.map((item, i) => toSampleBinding(`${where} items[${i}]`, item));
    return rows.length === 0 ? [] : this.appendAll.immediate(recordingId, rows);
  }

  /**
   * Samples in seq order, filtered by {@link ReadOptions}, as one array.
   * @throws StoreError `unknown_recording`, `invalid_argument`.
   */
  read(recordingId: number, options: ReadOptions = {}): Sample[] {
    const params = this.rangeParams('recordings.read', recordingId, options);
    return this.selectRange.all(params).map(toSample);
  }

  /**
   * Like {@link read} but lazy, for recordings too big for memory. Fetches `pageSize` rows
   * (default 1000) per query and holds no statement open between pages, so the connection stays
   * free for appends while a consumer (e.g. a replay at recorded speed) is suspended.
   * Arguments are checked now; samples appended while iterating are seen if inside the range.
   * @throws StoreError `unknown_recording`, `invalid_argument`.
   */
  iterate(recordingId: number, options: IterateOptions = {}): Generator<Sample, void, undefined> {
    const params = this.rangeParams('recordings.iterate', recordingId, options);
    const pageSize = requireInt('recordings.iterate pageSize', options.pageSize ?? DEFAULT_PAGE_SIZE, 1);
    return this.pages(params, pageSize);
  }

  /** Number of samples (of the given kinds, default all). @throws StoreError `unknown_recording`. */
  count(recordingId: number, kinds?: readonly SampleKind[]): number {
    this.requireRow('recordings.count', recordingId);
    return this.countSamples.get({ id: recordingId, kinds: kindsParam('recordings.count kinds', kinds) }) ?? 0;
  }

  /** The seq of the last sample, 0 when empty. @throws StoreError `unknown_recording`. */
  lastSeq(recordingId: number): number {
    this.requireRow('recordings.lastSeq', recordingId);
    return this.selectLastSeq.get(recordingId) ?? 0;
  }

  /**
   * The seq of the item with this clientId in the recording, or null if there is none. Lets a
   * caller recognise a resend before doing work that must happen once (e.g. taking a pending
   * prediction for a resent label).
   * @throws StoreError `unknown_recording`, `invalid_argument`.
   */
  seqOfClient(recordingId: number, clientId: string): number | null {
    this.requireRow('recordings.seqOfClient', recordingId);
    return this.selectSeqByClient.get(recordingId, requireString('recordings.seqOfClient(clientId)', clientId)) ?? null;
  }

  private appendRows(recordingId: number, rows: SampleBinding[]): AppendResult[] {
    this.requireRow('recordings.append', recordingId);
    let seq = this.selectLastSeq.get(recordingId) ?? 0;
    return rows.map((row) => {
      if (this.insertSample.run(recordingId, seq + 1, ...row).changes === 1) return { seq: ++seq, duplicate: false };
      // Conflict on clientId (row[4] is non-null then): report the seq the item already has.
      return { seq: this.selectSeqByClient.get(recordingId, row[4] as string) as number, duplicate: true };
    });
  }

  private *pages(params: RangeParams, pageSize: number): Generator<Sample, void, undefined> {
    let { fromSeq, limit } = params;
    const unlimited = limit < 0;
    while (unlimited || limit > 0) {
      const want = unlimited ? pageSize : Math.min(pageSize, limit);
      const page = this.selectRange.all({ ...params, fromSeq, limit: want });
      for (const row of page) yield toSample(row);
      if (page.length < want) return;
      fromSeq = page[page.length - 1].seq + 1;
      limit -= page.length;
    }
  }

  private rangeParams(where: string, recordingId: number, options: ReadOptions): RangeParams {
    this.requireRow(where, recordingId);
    if (typeof options !== 'object' || options === null) throw invalidArgument(`${where} options`, 'an object', options);
    return {
      id: recordingId,
      fromSeq: requireInt(`${where} fromSeq`, options.fromSeq ?? 1),
      toSeq: requireInt(`${where} toSeq`, options.toSeq ?? Number.MAX_SAFE_INTEGER),
      // SQLite reads a negative LIMIT as "no limit".
      limit: options.limit === undefined ? -1 : requireInt(`${where} limit`, options.limit),
      kinds: kindsParam(`${where} kinds`, options.kinds),
    };
  }

  private requireRow(where: string, id: number): RecordingRow {
    const row = this.selectRecording.get(requireInt(`${where}(recordingId)`, id, 1));
    if (!row) throw new StoreError('unknown_recording', `${where}: no recording with id ${id}`);
    return row;
  }
}

/** The JSON array bound for a kinds filter, or null for "all kinds". */
function kindsParam(where: string, kinds: readonly SampleKind[] | undefined): string | null {
  if (kinds === undefined) return null;
  if (!Array.isArray(kinds)) throw invalidArgument(where, 'an array of sample kinds', kinds);
  kinds.forEach((kind, i) => requireOneOf(`${where}[${i}]`, kind, SAMPLE_KINDS));
  return JSON.stringify(kinds);
}

function toRecording(row: RecordingRow): Recording {
  return { id: row.id, model: row.model, name: row.name, live: row.live === 1, createdAt: row.created_at };
}

function toSummary(row: SummaryRow): RecordingSummary {
  return {
    ...toRecording(row),
    count: row.count,
    lastSeq: row.last_seq,
    firstTime: row.first_time,
    lastTime: row.last_time,
  };
}
