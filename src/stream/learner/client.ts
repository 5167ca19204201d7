import { Subject, type Observable } from 'rxjs';
import { Pipeline, PipelineError } from '../../sigprop/parallel/pipeline.js';
import type { LearnReply, WeightsSnapshot } from './protocol.js';
import { SnapshotSlots } from './snapshot-slots.js';

/** Error from the learner threads, with the original error's code when it had one. */
export const LearnerError = PipelineError;

/** How a learner is started. */
export interface LearnerOptions {
  /** The tfjs backend of the learner threads. */
  backend: string;
  /** Longest the published weights lag the last update, ms (snapshots are published at most this often, and always after the last update). */
  publishEveryMs: number;
  /** Threads the model learns in (see `Pipeline`): a number or `'auto'`. */
  stages: number | 'auto';
}

/**
 * The main thread's handle on a model's learner: a {@link Pipeline} of learner threads (one or
 * several stages), serving requests strictly in order with any number in flight, and the stream
 * of published weight snapshots for the inference copy. A snapshot rides along with a learn
 * request at most every `publishEveryMs`; when learning pauses, a trailing snapshot publishes
 * the last update. Snapshots are written into shared arrays ({@link SnapshotSlots}) that come
 * back through {@link recycle} once loaded.
 */
export class LearnerClient {
  private pipeline: Pipeline | null = null;
  private readonly weightsSubject = new Subject<WeightsSnapshot>();
  private lastPublish = 0;
  private trailing: ReturnType<typeof setTimeout> | null = null;
  private publishEveryMs = 0;
  private readonly slots = new SnapshotSlots();

  /** Weight snapshots, in the order of the updates they follow. */
  readonly weights$: Observable<WeightsSnapshot> = this.weightsSubject.asObservable();

  /**
   * Starts the learner threads with the model of `config` (or of checkpoint bytes) and
   * publishes its weights.
   * @returns the backend used, the restored counters and the number of threads.
   * @throws PipelineError when the model cannot be built (no thread is left running).
   */
  async init(config: unknown, checkpoint: Uint8Array | null, options: LearnerOptions): Promise<{ backend: string; step: number; samples: number; stages: number }> {
    this.publishEveryMs = options.publishEveryMs;
    this.pipeline = await Pipeline.start(checkpoint ? { checkpoint } : { config }, { backend: options.backend, stages: options.stages });
    await this.publishNow();
    return { backend: this.pipeline.backend, ...this.pipeline.start, stages: this.pipeline.parts.length };
  }

  /** Learns one batch: `x` row-major `[N, features]`, labels `y` `[N]`, the first `fresh` new. The arrays are transferred. */
  async learn(x: Float32Array, y: Int32Array, fresh: number): Promise<LearnReply> {
    const publish = performance.now() - this.lastPublish >= this.publishEveryMs;
    if (publish) this.lastPublish = performance.now();
    const result = await this.current().learn(x, y, fresh, publish, publish ? this.slots.take() : []);
    if (result.weights) this.weightsSubject.next({ step: result.step, samples: result.samples, arrays: result.weights });
    else this.publishLater();
    return { logits: result.logits, layers: result.layers, step: result.step, samples: result.samples, ms: result.ms };
  }

  /** Takes back the arrays of a snapshot that was loaded, to fill with a later one. */
  recycle(arrays: Float32Array[]): void {
    this.slots.give(arrays);
  }

  /** Serialises the model after every batch sent before this call. */
  checkpoint(): Promise<{ bytes: Uint8Array; step: number; samples: number }> {
    return this.current().checkpoint();
  }

  /** Replaces the model by a checkpoint's, and publishes its weights (a snapshot requested right after, published when it comes). */
  async restore(checkpoint: Uint8Array): Promise<{ step: number; samples: number }> {
    const restored = await this.current().restore(checkpoint);
    // Requested now (it follows the restore in the threads) but not awaited: the counters go back
    // before any later batch's reply can advance them, or they would overwrite its counts.
    this.publishNow().catch(() => undefined);
    return restored;
  }

  /** Releases the model and ends the threads (after the requests already sent). */
  async dispose(): Promise<void> {
    this.stopPublishing();
    await this.pipeline?.dispose();
  }

  /** Ends the threads at once; the requests they have not answered fail. */
  async terminate(): Promise<void> {
    this.stopPublishing();
    await this.pipeline?.terminate();
  }

  private current(): Pipeline {
    if (!this.pipeline) throw new LearnerError('learner: not started');
    return this.pipeline;
  }

  private async publishNow(): Promise<void> {
    this.lastPublish = performance.now();
    const { weights, step, samples } = await this.current().weights(this.slots.take());
    this.slots.sizeFrom(weights);
    this.weightsSubject.next({ step, samples, arrays: weights });
  }

  /** Schedules a snapshot for when the last one is `publishEveryMs` old (unless a learn request carries one first). */
  private publishLater(): void {
    if (this.trailing) clearTimeout(this.trailing);
    this.trailing = setTimeout(() => {
      this.trailing = null;
      if (performance.now() - this.lastPublish >= this.publishEveryMs) this.publishNow().catch(() => undefined);
      else this.publishLater();
    }, Math.max(0, this.publishEveryMs - (performance.now() - this.lastPublish)));
    this.trailing.unref();
  }

  private stopPublishing(): void {
    if (this.trailing) clearTimeout(this.trailing);
    this.trailing = null;
    this.weightsSubject.complete();
  }
}
