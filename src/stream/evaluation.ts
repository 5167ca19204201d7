import { Subject, type Observable } from 'rxjs';
import type { ModelConfig } from '../sigprop/config/schema.js';
import { needsBatch } from '../sigprop/zoo/loss-by-name.js';
import type { Store, Sample } from '../store/index.js';
import { LearnerClient } from './learner/client.js';
import { learnWithReplay, type LearnedBatch, type QueuedItem } from './learning-loop.js';
import { ReplayBuffer } from './replay-buffer.js';
import { MetricsWindow } from './metrics-window.js';
import type { EvaluationReport, EvaluationStatus } from './types.js';

/** A resolved evaluation: what to replay, into what, how fast. */
export interface EvaluationPlan {
  id: number;
  model: string;
  recordingId: number;
  /** The recording's last seq when the evaluation was requested: items recorded later are not replayed. */
  toSeq: number;
  /** Learn and label items of the recording up to `toSeq`. */
  items: number;
  config: ModelConfig;
  checkpoint: Uint8Array | null;
  /** `fresh` or the id of the checkpoint the model starts from. */
  from: 'fresh' | number;
  createdAt: number;
  speed: 'max' | 'recorded';
  every: number;
  backend: string;
  /** Threads the replayed model learns in (see `Pipeline`). */
  learnerThreads: number | 'auto';
}

/**
 * Replays a recording, as it was when requested, into a separate model instance in its own
 * learner thread (the live model is never touched): its learn and label items, in order, in fixed
 * batches of `config.batch.maxSize` consecutive items (at least 2 for a loss that compares
 * samples), so a replay is deterministic: same recording, same start, same seed → same report;
 * as fast as possible or at the recorded pace. Emits progress and stores the report.
 */
export class EvaluationRun {
  private readonly progressSubject = new Subject<EvaluationStatus>();
  /** Progress updates, then completion. */
  readonly progress$: Observable<EvaluationStatus> = this.progressSubject.asObservable();
  private progressStoredAt = 0;

  constructor(
    private readonly plan: EvaluationPlan,
    private readonly store: Store,
  ) {}

  /** Runs to the end; stores and returns the report. Failures are stored too, then rethrown. */
  async run(): Promise<EvaluationReport> {
    const learner = new LearnerClient();
    try {
      this.store.evaluations.update(this.plan.id, { status: 'running', progress: 0 });
      const { stages } = await learner.init(this.plan.config, this.plan.checkpoint, { backend: this.plan.backend, publishEveryMs: 60_000, stages: this.plan.learnerThreads });
      const report = await this.replay(learner, stages + 1);
      this.store.evaluations.update(this.plan.id, { status: 'done', progress: 1, report: report as unknown as Record<string, unknown> });
      this.emit('done', 1, report, null);
      return report;
    } catch (error) {
      const message = (error as Error).message;
      this.store.evaluations.update(this.plan.id, { status: 'failed', error: message });
      this.emit('failed', 0, null, message);
      throw error;
    } finally {
      this.progressSubject.complete();
      await learner.dispose();
    }
  }

  /** Learns the batches in order with up to `capacity` in flight (every pipeline stage busy); scores them in order. */
  private async replay(learner: LearnerClient, capacity: number): Promise<EvaluationReport> {
    const { config } = this.plan;
    const total = this.plan.items;
    const replay = new ReplayBuffer(config.replay.size, config.seed);
    const window = new MetricsWindow(this.plan.model, { samples: Number.POSITIVE_INFINITY, ms: Number.POSITIVE_INFINITY });
    const curve: EvaluationReport['curve'] = [];
    const started = performance.now();
    let firstTime: number | null = null;
    let done = 0;
    let correct = 0;
    const inFlight: Array<Promise<LearnedBatch>> = [];
    const score = async (): Promise<void> => {
      const learned = await (inFlight.shift() as Promise<LearnedBatch>);
      window.addBatch(learned.reply.layers, learned.prequential);
      for (const item of learned.prequential) {
        done += 1;
        correct += item.correct ? 1 : 0;
        if (done % this.plan.every === 0 || done === total) curve.push({ items: done, accuracy: correct / done });
      }
      this.reportProgress(total ? done / total : 1);
    };
    for (const batch of this.batches(config)) {
      firstTime ??= batch[0].time;
      if (this.plan.speed === 'recorded') await sleepUntil(started + (batch[batch.length - 1].time - firstTime));
      const learned = learnWithReplay(learner, config, replay, batch.map(toQueued));
      // Handled when its turn comes; marked now so that its failure while an earlier batch is
      // awaited is not an unhandled rejection.
      learned.catch(() => undefined);
      inFlight.push(learned);
      if (inFlight.length >= capacity) await score();
    }
    while (inFlight.length > 0) await score();
    const wallMs = performance.now() - started;
    const layers = window.close(done, 0).layers;
    return { items: done, finalAccuracy: done ? correct / done : 0, curve, layers, throughput: done / Math.max(wallMs / 1000, 1e-3), wallMs };
  }

  /**
   * The recording's learnable items up to `toSeq` in fixed batches; a trailing remainder too small
   * for the loss joins the last full batch, so no item is skipped.
   */
  private *batches(config: ModelConfig): Generator<Sample[]> {
    const size = Math.max(config.batch.maxSize, needsBatch(config.loss) ? 2 : 1);
    const minSize = needsBatch(config.loss) && config.replay.size === 0 ? 2 : 1;
    let previous: Sample[] | null = null;
    let batch: Sample[] = [];
    for (const s of this.store.recordings.iterate(this.plan.recordingId, { toSeq: this.plan.toSeq, kinds: ['learn', 'label'] })) {
      if (s.x === null || s.label === null) continue;
      batch.push(s);
      if (batch.length < size) continue;
      if (previous) yield previous;
      previous = batch;
      batch = [];
    }
    if (previous && batch.length < minSize) previous.push(...batch.splice(0));
    if (previous) yield previous;
    if (batch.length >= minSize) yield batch;
  }

  /** Publishes progress; stores it at most every {@link PROGRESS_STORE_MS} (pollers read the store). */
  private reportProgress(progress: number): void {
    this.emit('running', progress, null, null);
    const now = performance.now();
    if (now - this.progressStoredAt < PROGRESS_STORE_MS) return;
    this.progressStoredAt = now;
    this.store.evaluations.update(this.plan.id, { progress });
  }

  private emit(status: EvaluationStatus['status'], progress: number, report: EvaluationReport | null, error: string | null): void {
    const { id, model, from, createdAt } = this.plan;
    this.progressSubject.next({ id, model, from, createdAt, status, progress, report, error });
  }
}

/** How often a running evaluation writes its progress to the store, ms. */
const PROGRESS_STORE_MS = 250;

function toQueued(s: Sample): QueuedItem {
  return { seq: s.seq, x: s.x as Float32Array, y: s.label as number };
}

function sleepUntil(t: number): Promise<void> {
  const wait = t - performance.now();
  return wait > 0 ? new Promise((resolve) => setTimeout(resolve, wait)) : Promise.resolve();
}
