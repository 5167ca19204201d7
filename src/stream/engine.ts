import { join } from 'node:path';
import { Subject, concat, filter, of, switchMap, type Observable } from 'rxjs';
import { mkdirSync } from 'node:fs';
import { parseConfig, ConfigError } from '../sigprop/config/parse.js';
import type { ModelConfig } from '../sigprop/config/schema.js';
import { init as initBackend, type BackendName } from '../sigprop/backend/index.js';
import { openStore, StoreError, type Store, type Evaluation } from '../store/index.js';
import { LiveModel, type LiveModelOptions } from './live-model.js';
import { GroupCommit } from './group-commit.js';
import { EvaluationRun } from './evaluation.js';
import { StreamError } from './errors.js';
import { learnerThreads } from './learner/threads.js';
import { DEFAULT_MODEL_CONFIG } from './default-model.js';
import type { OverloadPolicy } from './backpressure.js';
import type { WindowPolicy } from './metrics-window.js';
import type { EvaluationRequest, EvaluationStatus, MetricsEvent, ModelStatus } from './types.js';

/** Options of {@link Engine.open}. */
export interface EngineOptions {
  /** Folder of the SQLite file `sigprop.db` (created if missing). */
  dataDir: string;
  backend?: BackendName;
  /** Threads each model learns in (see `Pipeline` and `learnerThreads`; default `'auto'`: 1 on 2 cores; from 3, the pipeline's choice). */
  learnerThreads?: number | 'auto';
  /** Labelled items waiting per model before overload (default 10,000). */
  maxQueue?: number;
  /** `block` pauses producers, `reject` answers `overloaded` (default `block`). */
  overload?: OverloadPolicy;
  /** How long a prediction accepts a delayed label, ms (default 1 h). */
  predictionTtlMs?: number;
  /** Stored predictions per model, oldest evicted first (default 100,000). */
  maxPending?: number;
  /** Metrics window: N learned samples or T ms (default 1,000 samples / 5 s). */
  metricsWindow?: WindowPolicy;
  /** Longest predictions may lag the learner's weights, ms (default 100). */
  maxStalenessMs?: number;
  /** Create the model `default` when the store has none (default true). */
  defaultModel?: boolean;
}

/**
 * The streaming engine: every model of one data folder, live. Opening it restores each model
 * from its latest checkpoint and re-learns what was recorded after it; closing it drains the
 * queues, checkpoints every model and closes SQLite.
 */
export class Engine {
  private readonly live = new Map<string, LiveModel>();
  /** Every model started (created, reopened, restarted after a failure). */
  private readonly started = new Subject<LiveModel>();
  private readonly evaluations = new Map<number, EvaluationRun>();
  /** Times (ms) of each model's recent restarts after a learner failure. */
  private readonly restarts = new Map<string, number[]>();
  private readonly purgeTimer: ReturnType<typeof setInterval>;
  private closing: Promise<void> | null = null;

  private constructor(
    readonly backend: string,
    private readonly store: Store,
    private readonly commit: GroupCommit,
    private readonly modelOptions: LiveModelOptions,
  ) {
    this.purgeTimer = setInterval(() => store.pending.purgeExpired(), 60_000);
    this.purgeTimer.unref();
  }

  /** Opens the data folder and starts every model in it (see {@link EngineOptions}). */
  static async open(options: EngineOptions): Promise<Engine> {
    const { name: backend } = await initBackend({ backend: options.backend });
    mkdirSync(options.dataDir, { recursive: true });
    const store = openStore(join(options.dataDir, 'sigprop.db'), { syncOffThread: true });
    failInterrupted(store);
    const modelOptions: LiveModelOptions = {
      backend,
      learnerThreads: learnerThreads(options.learnerThreads ?? 'auto'),
      maxQueue: options.maxQueue ?? 10_000,
      overload: options.overload ?? 'block',
      predictionTtlMs: options.predictionTtlMs ?? 3_600_000,
      maxPending: options.maxPending ?? 100_000,
      metricsWindow: options.metricsWindow ?? { samples: 1000, ms: 5000 },
      maxStalenessMs: options.maxStalenessMs ?? 100,
    };
    const engine = new Engine(backend, store, new GroupCommit(store), modelOptions);
    for (const model of store.models.list()) await engine.startStored(model.name, model.config);
    if ((options.defaultModel ?? true) && engine.live.size === 0) await engine.createModel('default', DEFAULT_MODEL_CONFIG);
    return engine;
  }

  /** Every model's status. */
  models(): ModelStatus[] {
    return [...this.live.values()].map((m) => m.status());
  }

  /**
   * Creates and starts a model.
   * @throws StreamError bad_config (every problem by JSON path), duplicate_model, bad_shape (name).
   */
  async createModel(name: string, config: unknown): Promise<ModelStatus> {
    this.ensureOpen();
    let parsed: ModelConfig;
    try {
      parsed = parseConfig(config);
    } catch (error) {
      if (error instanceof ConfigError) throw new StreamError('bad_config', error.message);
      throw error;
    }
    if (this.live.has(name)) throw new StreamError('duplicate_model', `model '${name}' already exists`);
    try {
      this.store.models.create(name, parsed);
    } catch (error) {
      throw translateStoreError(error);
    }
    try {
      const status = (await this.start(name, parsed)).status();
      await this.store.durable();
      return status;
    } catch (error) {
      // Nothing of a model that cannot be built stays behind (it would block its name and restarts).
      this.store.models.delete(name);
      throw (error as { code?: string }).code === 'bad_config' ? new StreamError('bad_config', `invalid model config: ${(error as Error).message}`) : error;
    }
  }

  /** Stops a model and deletes it with its recordings, checkpoints and metrics. */
  async deleteModel(name: string): Promise<void> {
    const model = this.model(name);
    this.live.delete(name);
    await model.close({ checkpoint: false });
    this.store.models.delete(name);
    await this.store.durable();
  }

  /** A live model. @throws StreamError unknown_model. */
  model(name: string): LiveModel {
    const model = this.live.get(name);
    if (!model) throw new StreamError('unknown_model', `no model named '${name}'; known: ${[...this.live.keys()].join(', ') || 'none'}`);
    return model;
  }

  /** Every recording with its size and time span. */
  recordings() {
    return this.store.recordings.list().map((r) => ({ id: r.id, model: r.model, name: r.name, count: r.count, firstTime: r.firstTime, lastTime: r.lastTime }));
  }

  /**
   * Starts replaying a recording into a separate model (see {@link EvaluationRun}); resolves
   * with the `running` status at once. The live model is not touched.
   * @throws StreamError unknown_model, unknown_recording, unknown_checkpoint, bad_config.
   */
  async evaluate(request: EvaluationRequest): Promise<EvaluationStatus> {
    this.ensureOpen();
    const live = this.model(request.model);
    const recordingId = request.recording ?? live.recordingId;
    const recording = this.store.recordings.list().find((r) => r.id === recordingId);
    if (!recording) throw new StreamError('unknown_recording', `no recording ${recordingId}`);
    if (recording.model !== request.model) {
      throw new StreamError('unknown_recording', `recording ${recordingId} belongs to model '${recording.model}', not '${request.model}'`);
    }
    const checkpoint = request.from === 'fresh' ? null : this.checkpointBytes(request.model, request.from);
    const config = request.config === undefined ? live.config : this.parse(request.config);
    if (JSON.stringify(config.inputShape) !== JSON.stringify(live.config.inputShape) || config.classes !== live.config.classes) {
      throw new StreamError(
        'bad_config',
        `the evaluation config has inputShape [${config.inputShape.join(', ')}] and ${config.classes} classes; the recording of '${request.model}' ` +
          `holds inputs [${live.config.inputShape.join(', ')}] with ${live.config.classes} classes`,
      );
    }
    const id = this.store.evaluations.create({
      model: request.model,
      recordingId,
      from: request.from === 'fresh' ? 'fresh' : { checkpointId: request.from },
      speed: request.speed === 'max' ? 'max' : 1,
      config,
    });
    const items = this.store.recordings.count(recordingId, ['learn', 'label']);
    const createdAt = this.store.evaluations.get(id).createdAt;
    const plan = { id, model: request.model, recordingId, toSeq: recording.lastSeq, items, config, checkpoint, from: request.from, createdAt, speed: request.speed, every: request.every ?? 100, backend: this.backend, learnerThreads: this.modelOptions.learnerThreads };
    const run = new EvaluationRun(plan, this.store);
    this.evaluations.set(id, run);
    void run.run().catch(() => undefined).finally(() => this.evaluations.delete(id));
    return this.evaluation(id);
  }

  /** An evaluation's status and, once done, its report. @throws StreamError unknown_evaluation. */
  evaluation(id: number): EvaluationStatus {
    const found = this.store.evaluations.list().find((e) => e.id === id);
    if (!found) throw new StreamError('unknown_evaluation', `no evaluation ${id}`);
    return toEvaluationStatus(found);
  }

  /** Every evaluation (of one model when given), newest first. */
  evaluationList(model?: string): EvaluationStatus[] {
    if (model !== undefined) this.model(model);
    return this.store.evaluations.list(model).map(toEvaluationStatus).sort((a, b) => b.id - a.id);
  }

  /** Progress of a running evaluation, or null when it is not running. */
  evaluationProgress(id: number) {
    return this.evaluations.get(id)?.progress$ ?? null;
  }

  /**
   * Graceful shutdown: stop accepting, learn what is queued, checkpoint every model, close
   * SQLite. With a deadline, models that are not done by then are closed without waiting (their
   * items are in the recording and are learned after a restart).
   */
  close(options: { deadlineMs?: number } = {}): Promise<void> {
    this.closing ??= this.shutdown(options.deadlineMs ?? 30_000);
    return this.closing;
  }

  private async shutdown(deadlineMs: number): Promise<void> {
    clearInterval(this.purgeTimer);
    this.started.complete();
    const closing = Promise.all([...this.live.values()].map((m) => m.close()));
    closing.catch(() => undefined); // a model stopped at the deadline may fail afterwards: expected then
    const deadline = new Promise<void>((resolve) => setTimeout(resolve, deadlineMs).unref());
    await Promise.race([closing, deadline]);
    await Promise.all([...this.live.values()].map((m) => m.abort()));
    await this.commit.flush();
    this.store.close();
  }

  /** Starts a stored model; one that no longer builds is reported and left out, not fatal. */
  private async startStored(name: string, config: unknown): Promise<void> {
    try {
      await this.start(name, parseConfig(config));
    } catch (error) {
      console.error(`model '${name}' cannot start and is left out: ${(error as Error).message}`);
    }
  }

  private async start(name: string, config: ModelConfig): Promise<LiveModel> {
    const model = await LiveModel.open(name, config, this.store, this.commit, this.modelOptions);
    this.live.set(name, model);
    model.failed$.subscribe(() => void this.restart(name, model, config));
    this.started.next(model);
    return model;
  }

  /**
   * The live metrics windows of the model `name`, following it across restarts and a delete and
   * re-create under the same name (a subscription to one `LiveModel.metrics$` ends with it).
   * @throws StreamError unknown_model when no such model is live now.
   */
  metrics$(name: string): Observable<MetricsEvent> {
    const current = this.model(name);
    const later = this.started.pipe(filter((m) => m.name === name));
    return concat(of(current), later).pipe(switchMap((m) => m.metrics$));
  }

  /**
   * Restarts a model whose learner failed, from its latest checkpoint (the recording after it is
   * learned again), unless it failed {@link MAX_RESTARTS} times within {@link RESTART_WINDOW_MS}:
   * then it stays stopped (requests get `closed`) until the server restarts, rather than loop.
   */
  private async restart(name: string, failed: LiveModel, config: ModelConfig): Promise<void> {
    const now = Date.now();
    const recent = (this.restarts.get(name) ?? []).filter((t) => now - t < RESTART_WINDOW_MS);
    this.restarts.set(name, [...recent, now]);
    if (this.closing || this.live.get(name) !== failed || recent.length >= MAX_RESTARTS) {
      if (!this.closing) console.error(`model '${name}': learner failed ${recent.length + 1} times in a minute; left stopped`);
      return;
    }
    await this.start(name, config).catch((error: Error) => console.error(`model '${name}': restart failed: ${error.message}`));
  }

  private checkpointBytes(model: string, id: number): Uint8Array {
    if (!this.model(model).checkpoints().some((c) => c.id === id)) throw new StreamError('unknown_checkpoint', `model '${model}' has no checkpoint ${id}`);
    return this.store.checkpoints.get(id).bytes;
  }

  private parse(config: unknown): ModelConfig {
    try {
      return parseConfig(config);
    } catch (error) {
      if (error instanceof ConfigError) throw new StreamError('bad_config', error.message);
      throw error;
    }
  }

  private ensureOpen(): void {
    if (this.closing) throw new StreamError('closed', 'the server is shutting down');
  }
}

/** Marks the evaluations a previous run left unfinished (it stopped or crashed meanwhile) as failed. */
function failInterrupted(store: Store): void {
  for (const e of store.evaluations.list()) {
    if (e.status === 'pending' || e.status === 'running') {
      store.evaluations.update(e.id, { status: 'failed', error: 'interrupted: the server stopped before the evaluation finished; start it again' });
    }
  }
}

/** Restarts of a failing model allowed within {@link RESTART_WINDOW_MS} before it is left stopped. */
const MAX_RESTARTS = 3;
const RESTART_WINDOW_MS = 60_000;

/** The wire view of a stored evaluation (`pending` is reported as `running`). */
function toEvaluationStatus(found: Evaluation): EvaluationStatus {
  return {
    id: found.id,
    model: found.model,
    from: found.from === 'fresh' ? 'fresh' : found.from.checkpointId,
    createdAt: found.createdAt,
    status: found.status === 'pending' ? 'running' : found.status,
    progress: found.progress,
    report: (found.report as EvaluationStatus['report']) ?? null,
    error: found.error ?? null,
  };
}

/** Store errors a client caused, as protocol errors. */
function translateStoreError(error: unknown): unknown {
  if (!(error instanceof StoreError)) return error;
  if (error.code === 'duplicate_model') return new StreamError('duplicate_model', error.message);
  if (error.code === 'invalid_argument') return new StreamError('bad_shape', error.message);
  return error;
}
export { LiveModel } from './live-model.js';
