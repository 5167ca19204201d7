import { randomUUID } from 'node:crypto';
import { firstValueFrom, Subject, type Observable, type Subscription } from 'rxjs';
import type { ModelConfig } from '../sigprop/config/schema.js';
import { shapeNumel } from '../sigprop/utils/shape.js';
import type { Store, SampleInput, AppendResult } from '../store/index.js';
import { LearnerClient } from './learner/client.js';
import { PredictorClient } from './predictor/client.js';
import { LearningLoop, type LearnedBatch, type QueuedItem } from './learning-loop.js';
import { MetricsWindow, type WindowPolicy } from './metrics-window.js';
import { Backpressure, type OverloadPolicy } from './backpressure.js';
import { CheckpointPolicy } from './checkpoint-policy.js';
import type { GroupCommit } from './group-commit.js';
import { StreamError } from './errors.js';
import { decodeClientId, decodeInput, decodeLabel } from './validate.js';
import { toCheckpointInfo } from './checkpoint-info.js';
import type { Ack, CheckpointInfo, LabelItem, LearnItem, MetricsEvent, ModelStatus, PredictItem, Prediction } from './types.js';

/** Engine-wide settings a live model needs. */
export interface LiveModelOptions {
  backend: string;
  /** Threads the model learns in (see `Pipeline`). */
  learnerThreads: number | 'auto';
  maxQueue: number;
  overload: OverloadPolicy;
  predictionTtlMs: number;
  maxPending: number;
  metricsWindow: WindowPolicy;
  /** Longest a prediction may use weights older than the learner's (ms). */
  maxStalenessMs: number;
}

/**
 * One model, live: accepts labelled items (recorded, acknowledged after commit, then learned
 * in the learner thread), answers predictions at once in its prediction thread from the latest
 * published weights, takes delayed labels, aggregates metrics and writes checkpoints.
 * Open one with {@link LiveModel.open}; it resumes from the latest checkpoint and re-learns
 * what the recording holds after it, so a crash loses no learning.
 */
export class LiveModel {
  readonly features: number;
  private readonly metricsSubject = new Subject<MetricsEvent>();
  /** Live metrics windows. */
  readonly metrics$: Observable<MetricsEvent> = this.metricsSubject.asObservable();
  private readonly learnerFailure = new Subject<Error>();
  /**
   * Emits once if the learner or prediction thread fails (it crashed, a batch could not be
   * learned or a snapshot not loaded). The model has then stopped (see {@link abort}) so that no
   * checkpoint covers the unlearned items; the engine restarts it from its latest checkpoint,
   * which learns them again from the recording.
   */
  readonly failed$: Observable<Error> = this.learnerFailure.asObservable();
  private readonly backpressure: Backpressure;
  private readonly window: MetricsWindow;
  private readonly checkpointPolicy: CheckpointPolicy;
  private readonly subscriptions: Subscription[] = [];
  private checkpointChain: Promise<unknown> = Promise.resolve();
  private periodicCheckpoint: Promise<unknown> | null = null;
  private tickTimer: ReturnType<typeof setInterval>;
  private closed = false;
  /** Stopped by {@link abort}: nothing more may reach the store. */
  private aborted = false;
  private released = false;
  private divergenceReported = false;
  private samples: number;
  private step: number;

  private constructor(
    readonly name: string,
    readonly config: ModelConfig,
    readonly recordingId: number,
    private readonly store: Store,
    private readonly commit: GroupCommit,
    private readonly learner: LearnerClient,
    private readonly predictor: PredictorClient,
    private readonly loop: LearningLoop,
    private readonly options: LiveModelOptions,
    counters: { samples: number; step: number },
  ) {
    this.features = shapeNumel(config.inputShape);
    this.samples = counters.samples;
    this.step = counters.step;
    this.backpressure = new Backpressure(options.maxQueue, options.overload, () => loop.queued);
    const lastWindow = store.metrics.query(name, { limit: 1 })[0]?.window ?? 0;
    this.window = new MetricsWindow(name, options.metricsWindow, lastWindow + 1);
    this.checkpointPolicy = new CheckpointPolicy(config.checkpoint, counters.samples);
    this.subscriptions.push(learner.weights$.subscribe((s) => predictor.offer(s)));
    this.subscriptions.push(loop.batches$.subscribe((b) => this.onLearned(b)));
    this.tickTimer = setInterval(() => this.onTick(), Math.max(50, Math.min(options.metricsWindow.ms, 1000)));
    this.tickTimer.unref();
  }

  /**
   * Starts a model: a learner thread from the latest checkpoint (or fresh from the config), the
   * inference copy, and the re-learning of recorded items after that checkpoint.
   */
  static async open(name: string, config: ModelConfig, store: Store, commit: GroupCommit, options: LiveModelOptions): Promise<LiveModel> {
    const recording = store.recordings.live(name);
    const latest = store.checkpoints.latest(name);
    const learner = new LearnerClient();
    const firstWeights = firstValueFrom(learner.weights$);
    const ready = await learner.init(config, latest?.bytes ?? null, { backend: options.backend, publishEveryMs: options.maxStalenessMs, stages: options.learnerThreads });
    const predictor = await startPredictor(config, ready.step, options.backend, learner);
    predictor.offer(await firstWeights);
    let model: LiveModel | null = null;
    predictor.onFailure = (e) => model?.onThreadFailure(e);
    predictor.onRecycled = (arrays) => learner.recycle(arrays);
    const loop = new LearningLoop(learner, config, latest?.lastSeq ?? 0, (e) => model?.onThreadFailure(e), ready.stages + 1);
    model = new LiveModel(name, config, recording.id, store, commit, learner, predictor, loop, options, ready);
    model.relearnAfter(latest?.lastSeq ?? 0);
    return model;
  }

  /**
   * Accepts labelled items: validates every one (nothing is accepted if one is bad), waits for
   * room under backpressure, records them in one transaction and acknowledges after the commit;
   * then they are learned. A `clientId` seen before is acknowledged again as a duplicate and not
   * learned twice.
   * @throws StreamError bad_shape / not_finite / bad_label / missing_field (with the item index),
   *   overloaded, closed.
   */
  async learn(items: readonly LearnItem[]): Promise<Ack[]> {
    limitItems(items.length, MAX_ITEMS);
    const valid = items.map((item, i) => this.validateLearnItem(item, i, items.length));
    this.ensureOpen();
    await this.backpressure.admit(valid.length);
    try {
      this.ensureOpen();
      const time = Date.now();
      const samples: SampleInput[] = valid.map((v) => ({ time, kind: 'learn', x: v.x, label: v.y, clientId: v.clientId ?? null }));
      const results = await this.commit.submit(
        () => this.store.recordings.append(this.recordingId, samples),
        (appended) => this.queueForLearning(appended, valid),
      );
      return results.map((r, i) => ({ clientId: valid[i].clientId, seq: r.seq, duplicate: r.duplicate }));
    } finally {
      this.backpressure.settle(valid.length);
    }
  }

  /**
   * Predicts at once from the latest published weights (never behind a training step). Each
   * prediction gets an id for a delayed label; the input is recorded and kept for that label.
   * @throws StreamError bad_shape / not_finite / missing_field (with the item index); closed when
   *   the model is closing or stopped (also when its prediction thread failed: it restarts).
   */
  async predict(items: readonly PredictItem[]): Promise<Prediction[]> {
    limitItems(items.length, Math.max(1, Math.min(MAX_ITEMS, Math.floor(MAX_PROBABILITIES / this.config.classes))));
    const started = performance.now();
    const valid = items.map((item, i) => ({
      clientId: decodeClientId(item.clientId, itemName(i, items.length, 'id'), i),
      x: decodeInput(item.x, this.features, itemName(i, items.length, 'x'), i),
    }));
    this.ensureOpen();
    const x = new Float32Array(valid.length * this.features);
    valid.forEach((v, i) => x.set(v.x, i * this.features));
    const raw = await this.predictor.predict(x, valid.length).catch((error: Error) => {
      throw error instanceof StreamError ? error : new StreamError('closed', `model '${this.name}' stopped (${error.message}); retry after it restarts`);
    });
    // Stopped while the prediction thread answered: nothing more may reach the store.
    if (this.aborted) throw new StreamError('closed', `model '${this.name}' stopped before the prediction was recorded; retry after it restarts`);
    const predictions = raw.map((p, i) => ({ clientId: valid[i].clientId, predictionId: randomUUID(), ...p }));
    const latency = performance.now() - started;
    for (let i = 0; i < predictions.length; i++) this.window.addPrediction(latency);
    void this.commit.submit(() => this.recordPredictions(valid, predictions)).catch((e: Error) => this.fail(e));
    return predictions;
  }

  /**
   * Learns the stored input of earlier predictions with the given labels (delayed labels).
   * Each item is checked, its prediction taken and the label recorded in one transaction.
   * @throws StreamError bad_label / missing_field / unknown_prediction / expired_prediction
   *   (with the item index; earlier items of the same call are still accepted), overloaded, closed.
   */
  async label(items: readonly LabelItem[]): Promise<Ack[]> {
    limitItems(items.length, MAX_ITEMS);
    const valid = items.map((item, i) => ({
      clientId: decodeClientId(item.clientId, itemName(i, items.length, 'id'), i),
      predictionId: requirePredictionId(item.predictionId, itemName(i, items.length, 'predictionId'), i),
      y: decodeLabel(item.y, this.config.classes, itemName(i, items.length, 'y'), i),
    }));
    this.ensureOpen();
    await this.backpressure.admit(valid.length);
    try {
      this.ensureOpen();
      // Commits the predictions queued this turn, so that their labels find them.
      void this.commit.flush();
      const acks: Ack[] = [];
      for (const [i, v] of valid.entries()) {
        const result = await this.commit.submit(
          () => this.recordLabel(v, i),
          (r) => this.queueForLearning([r.appended], [{ x: r.x, y: v.y }]),
        );
        acks.push({ clientId: v.clientId, seq: result.appended.seq, duplicate: result.appended.duplicate });
      }
      return acks;
    } finally {
      this.backpressure.settle(valid.length);
    }
  }

  /** Counters, queue, recording position and latest checkpoint. */
  status(): ModelStatus {
    const latest = this.store.checkpoints.list(this.name).at(-1) ?? null;
    const model = this.store.models.get(this.name);
    return {
      name: this.name,
      config: this.config,
      samples: this.samples,
      step: this.step,
      recordingId: this.recordingId,
      lastSeq: this.store.recordings.lastSeq(this.recordingId),
      queued: this.loop.queued,
      pendingPredictions: this.store.pending.count(this.name),
      latestCheckpoint: latest ? toCheckpointInfo(latest) : null,
      createdAt: model.createdAt,
    };
  }

  /** Stored metrics windows (newest first), filtered by layer, time (ms) and count. */
  metrics(query: { layer?: string; since?: number; limit?: number } = {}) {
    return this.store.metrics.query(this.name, query).map((r) => ({
      window: r.window,
      time: r.time,
      layer: r.layer,
      loss: r.loss,
      accuracy: r.accuracy,
      samples: r.samples,
    }));
  }

  /** Writes a checkpoint now (after the batches already handed to the learner). */
  checkpoint(reason = 'manual'): Promise<CheckpointInfo> {
    const next = this.checkpointChain.then(() => this.writeCheckpoint(reason));
    this.checkpointChain = next.catch(() => undefined);
    return next;
  }

  /** The model's checkpoints, oldest first. */
  checkpoints(): CheckpointInfo[] {
    return this.store.checkpoints.list(this.name).map(toCheckpointInfo);
  }

  /**
   * Rolls the model back to a checkpoint and writes a new checkpoint of that state (so a restart
   * keeps the rollback); items recorded in between are not learned again.
   * @throws StreamError unknown_checkpoint when the id is not one of this model's.
   */
  async restore(id: number): Promise<CheckpointInfo> {
    const target = this.checkpoints().find((c) => c.id === id);
    if (!target) throw new StreamError('unknown_checkpoint', `model '${this.name}' has no checkpoint ${id}`);
    const bytes = this.store.checkpoints.get(id).bytes;
    const restored = await this.learner.restore(bytes).catch((e: Error) => this.refusal(e));
    this.samples = restored.samples;
    this.step = restored.step;
    return this.checkpoint(`restore:${id}`);
  }

  /** Waits until every accepted item is learned. */
  drain(): Promise<void> {
    return this.loop.whenIdle();
  }

  /**
   * Stops accepting, learns what is queued (within the caller's deadline), writes a shutdown
   * checkpoint and stops the learner thread.
   */
  async close(options: { checkpoint?: boolean } = {}): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    clearInterval(this.tickTimer);
    await this.commit.flush();
    await this.drain();
    if (this.aborted) return;
    this.closeWindowIfDue(true);
    if (options.checkpoint !== false) await this.checkpoint('shutdown');
    await this.checkpointChain;
    await this.release(() => this.learner.dispose());
  }

  /**
   * Stops at once, for a shutdown past its deadline: the learner thread is terminated and nothing
   * more is learned, checkpointed or stored (so the store can close); the items not learned yet
   * are in the recording and are learned after a restart. Does nothing to a closed model.
   */
  async abort(): Promise<void> {
    this.closed = true;
    this.aborted = true;
    clearInterval(this.tickTimer);
    await this.release(() => this.learner.terminate());
  }

  /** Stops the learning pipeline, the live metrics and the learner thread (once). */
  private async release(stopLearner: () => Promise<void>): Promise<void> {
    if (this.released) return;
    this.released = true;
    this.loop.stop();
    this.backpressure.refuseWaiting(new StreamError('closed', `model '${this.name}' stopped before there was room for these items; retry after it restarts`));
    for (const s of this.subscriptions) s.unsubscribe();
    this.metricsSubject.complete();
    await Promise.all([stopLearner(), this.predictor.dispose()]);
  }

  private validateLearnItem(item: LearnItem, i: number, n: number) {
    return {
      clientId: decodeClientId(item.clientId, itemName(i, n, 'id'), i),
      x: decodeInput(item.x, this.features, itemName(i, n, 'x'), i),
      y: decodeLabel(item.y, this.config.classes, itemName(i, n, 'y'), i),
    };
  }

  private ensureOpen(): void {
    if (this.closed) throw new StreamError('closed', `model '${this.name}' is shutting down; retry after it restarts`);
  }

  private queueForLearning(appended: readonly AppendResult[], items: ReadonlyArray<{ x: Float32Array; y: number }>): void {
    const fresh: QueuedItem[] = [];
    appended.forEach((r, i) => {
      if (!r.duplicate) fresh.push({ seq: r.seq, x: items[i].x, y: items[i].y });
    });
    this.loop.push(fresh);
  }

  private recordPredictions(valid: ReadonlyArray<{ clientId?: string; x: Float32Array }>, predictions: readonly Prediction[]): void {
    const time = Date.now();
    // No clientId: ids make learn and label resends idempotent; a prediction is never deduplicated,
    // and recording its id would turn a later learn item with the same id into a "duplicate".
    const samples: SampleInput[] = valid.map((v, i) => ({ time, kind: 'predict', x: v.x, predictionId: predictions[i].predictionId }));
    this.store.recordings.append(this.recordingId, samples);
    predictions.forEach((p, i) =>
      this.store.pending.put(
        { predictionId: p.predictionId, model: this.name, x: valid[i].x, step: p.step, createdAt: time, expiresAt: time + this.options.predictionTtlMs },
        this.options.maxPending,
      ),
    );
  }

  /** Takes the prediction and records its label; a resent label (same clientId) is a duplicate. */
  private recordLabel(v: { clientId?: string; predictionId: string; y: number }, index: number): { appended: AppendResult; x: Float32Array } {
    const resent = v.clientId === undefined ? null : this.store.recordings.seqOfClient(this.recordingId, v.clientId);
    if (resent !== null) return { appended: { seq: resent, duplicate: true }, x: new Float32Array(0) };
    const taken = this.store.pending.take(v.predictionId);
    if (!taken.ok) throw new StreamError(taken.code, `predictionId '${v.predictionId}': ${taken.message}`, index);
    // Throwing rolls this job's savepoint back, so another model's prediction stays pending.
    if (taken.pending.model !== this.name) {
      throw new StreamError('unknown_prediction', `predictionId '${v.predictionId}' was made by model '${taken.pending.model}', not '${this.name}'`, index);
    }
    const x = taken.pending.x;
    const [appended] = this.store.recordings.append(this.recordingId, [
      { time: Date.now(), kind: 'label', x, label: v.y, predictionId: v.predictionId, clientId: v.clientId ?? null },
    ]);
    return { appended, x };
  }

  private onLearned(batch: LearnedBatch): void {
    this.samples = batch.reply.samples;
    this.step = batch.reply.step;
    this.window.addBatch(batch.reply.layers, batch.prequential);
    this.backpressure.release();
    this.onTick();
  }

  /** Time-driven duties, also when no item arrives: a metrics window or a checkpoint that is due by time. */
  private onTick(): void {
    // A timer's exception would end the whole server: one model's failure is reported instead.
    try {
      this.closeWindowIfDue();
      this.checkpointIfDue();
    } catch (error) {
      this.fail(error as Error);
    }
  }

  /** Starts a periodic checkpoint when the policy says one is due and none is being written. */
  private checkpointIfDue(): void {
    if (this.periodicCheckpoint || !this.checkpointPolicy.due(this.samples)) return;
    this.periodicCheckpoint = this.checkpoint('periodic')
      .catch((e: Error) => this.fail(e))
      .finally(() => (this.periodicCheckpoint = null));
  }

  /** Closes, stores and publishes the metrics window when it is due (with `force`: when it has anything). */
  private closeWindowIfDue(force = false): void {
    if (!(force ? this.window.busy() : this.window.due())) return;
    const event = this.window.close(this.samples, this.step);
    this.store.metrics.insertWindow(
      this.name,
      event.window,
      event.time,
      event.layers.map((l) => ({ layer: l.layer, loss: this.measured(l.loss), accuracy: this.measured(l.accuracy), samples: l.samples, extra: { throughput: event.throughput, latency: event.predictLatencyMs, predictions: event.predictions } })),
    );
    this.metricsSubject.next(event);
  }

  /** A learner request that failed because the model stopped meanwhile (deleted, shutting down, restarting) is refused as closed, not as a server bug. */
  private refusal(error: Error & { code?: string }): never {
    if (error instanceof StreamError || !(this.closed || error.code === 'disposed')) throw error;
    throw new StreamError('closed', `model '${this.name}' stopped before this finished (${error.message}); retry after it restarts`);
  }

  /** A metric as stored: a loss gone NaN or infinite (the model diverged) is stored as not measured, and reported once. */
  private measured(value: number): number | null {
    if (Number.isFinite(value)) return value;
    if (!this.divergenceReported) console.error(`model '${this.name}': its loss is ${value} — the model diverged (e.g. a learning rate too high for the inputs' scale); predictions are refused with 'diverged' until a checkpoint is restored`);
    this.divergenceReported = true;
    return null;
  }

  private async writeCheckpoint(reason: string): Promise<CheckpointInfo> {
    const lastSeq = this.loop.dispatchedSeq;
    const { bytes, step, samples } = await this.learner.checkpoint().catch((e: Error) => this.refusal(e));
    if (this.aborted) throw new StreamError('closed', `model '${this.name}' was stopped before its checkpoint was saved`);
    const policy = this.config.checkpoint;
    const saved = this.store.transaction(() => {
      const info = this.store.checkpoints.save(this.name, { step, samples, lastSeq, bytes, reason });
      this.store.checkpoints.applyRetention(this.name, { keepLast: policy.keepLast, keepEvery: policy.keepEvery || undefined });
      return info;
    });
    this.checkpointPolicy.written(samples);
    await this.store.durable();
    return toCheckpointInfo(saved);
  }

  /** Queues the recorded learn/label items after `seq` again (recovery after a restart). */
  private relearnAfter(seq: number): void {
    const batch: QueuedItem[] = [];
    for (const s of this.store.recordings.iterate(this.recordingId, { fromSeq: seq + 1, kinds: ['learn', 'label'] })) {
      if (s.x !== null && s.label !== null) batch.push({ seq: s.seq, x: s.x, y: s.label });
    }
    this.loop.push(batch);
  }

  /** Stops the model after a learner or prediction thread failure and reports it on {@link failed$} (once). */
  private onThreadFailure(error: Error): void {
    if (this.aborted) return;
    this.fail(error);
    void this.abort().finally(() => {
      this.learnerFailure.next(error);
      this.learnerFailure.complete();
    });
  }

  /** Reports a background failure (none after {@link abort}: the work it cut off fails as expected). */
  private fail(error: Error): void {
    if (!this.aborted) console.error(`model '${this.name}': ${error.message}`);
  }
}

/** Starts the model's prediction thread; the learner is ended if it cannot start, so that no thread is left running. */
async function startPredictor(config: ModelConfig, step: number, backend: string, learner: LearnerClient): Promise<PredictorClient> {
  try {
    return await PredictorClient.start(config, step, backend);
  } catch (error) {
    await learner.terminate();
    throw error;
  }
}

/** Most items in one request: a batch is handled in one turn of the event loop. */
export const MAX_ITEMS = 4096;
/** Most probabilities in one predict reply (items × classes), so that a reply stays a few MB. */
const MAX_PROBABILITIES = 1_000_000;

/** @throws StreamError `too_large` when a request holds more than `max` items. */
export function limitItems(count: number, max: number): void {
  if (count > max) throw new StreamError('too_large', `${count} items in one request; send at most ${max} at once`);
}

/** `x` for a single item, `items[3].x` inside a batch. */
function itemName(i: number, n: number, field: string): string {
  return n === 1 ? field : `items[${i}].${field}`;
}

function requirePredictionId(raw: unknown, where: string, index: number): string {
  if (raw === undefined || raw === null) throw new StreamError('missing_field', `${where} is missing; expected the id of an earlier prediction`, index);
  if (typeof raw !== 'string' || raw.length === 0 || raw.length > 128) {
    throw new StreamError('unknown_prediction', `${where} is not a prediction id (expected the string returned by predict)`, index);
  }
  return raw;
}
