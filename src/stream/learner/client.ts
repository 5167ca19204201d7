import type { Worker } from 'node:worker_threads';
import { Subject, type Observable } from 'rxjs';
import { spawnModuleWorker } from './spawn.js';
import type { LearnerReply, LearnerRequest, LearnReply, WeightsSnapshot } from './protocol.js';

type Pending = { resolve: (reply: LearnerReply) => void; reject: (error: Error) => void };
type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;

/** Error from the learner thread, with the original error's code when it had one. */
export class LearnerError extends Error {
  constructor(
    message: string,
    readonly code?: string,
  ) {
    super(message);
    this.name = 'LearnerError';
  }
}

/**
 * The main thread's handle on a learner worker (see `worker.ts`): promise-based requests that
 * the worker serves strictly in order, and the stream of published weight snapshots.
 */
export class LearnerClient {
  private readonly worker: Worker;
  private readonly pending = new Map<number, Pending>();
  private readonly weightsSubject = new Subject<WeightsSnapshot>();
  private nextId = 1;
  private exited: Error | null = null;

  /** Weight snapshots, in the order the learner published them. */
  readonly weights$: Observable<WeightsSnapshot> = this.weightsSubject.asObservable();

  constructor() {
    this.worker = spawnModuleWorker(import.meta.url, './worker');
    this.worker.on('message', (message: LearnerReply) => this.onMessage(message));
    this.worker.on('error', (error) => this.fail(error));
    this.worker.on('exit', (code) => this.fail(new Error(`learner worker exited with code ${code}`)));
  }

  /**
   * Creates the model from `config` (or from checkpoint bytes) on `backend`.
   * @returns the backend actually used and the restored counters.
   */
  async init(config: unknown, checkpoint: Uint8Array | null, backend: string, publishEveryMs: number) {
    const reply = await this.request({ type: 'init', config, checkpoint, backend, publishEveryMs });
    if (reply.type !== 'ready') throw new LearnerError(`unexpected reply ${reply.type}`);
    return reply;
  }

  /** Learns one batch: `x` row-major `[N, features]`, labels `y` `[N]`, the first `fresh` new. */
  async learn(x: Float32Array, y: Int32Array, fresh: number): Promise<LearnReply> {
    const reply = await this.request({ type: 'learn', x, y, fresh }, [x.buffer as ArrayBuffer]);
    if (reply.type !== 'learned') throw new LearnerError(`unexpected reply ${reply.type}`);
    return reply.result;
  }

  /** Serialises the model after every batch sent before this call. */
  async checkpoint(): Promise<{ bytes: Uint8Array; step: number; samples: number }> {
    const reply = await this.request({ type: 'checkpoint' });
    if (reply.type !== 'checkpoint') throw new LearnerError(`unexpected reply ${reply.type}`);
    return reply;
  }

  /** Replaces the model by a checkpoint's. */
  async restore(checkpoint: Uint8Array): Promise<{ step: number; samples: number }> {
    const reply = await this.request({ type: 'restore', checkpoint });
    if (reply.type !== 'restored') throw new LearnerError(`unexpected reply ${reply.type}`);
    return reply;
  }

  /** Releases the model and ends the thread (after the requests already sent). */
  async dispose(): Promise<void> {
    if (this.exited) return;
    await this.request({ type: 'dispose' }).catch(() => undefined);
    await this.worker.terminate();
    this.weightsSubject.complete();
  }

  /** Ends the thread at once; the requests it has not answered fail. */
  async terminate(): Promise<void> {
    await this.worker.terminate();
    this.weightsSubject.complete();
  }

  private request(message: DistributiveOmit<LearnerRequest, 'id'>, transfer: ArrayBuffer[] = []): Promise<LearnerReply> {
    if (this.exited) return Promise.reject(this.exited);
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.worker.postMessage({ ...message, id } as LearnerRequest, transfer);
    });
  }

  private onMessage(message: LearnerReply): void {
    if (message.type === 'weights') {
      this.weightsSubject.next(message.snapshot);
      return;
    }
    const waiter = this.pending.get(message.id);
    if (!waiter) return;
    this.pending.delete(message.id);
    if (message.type === 'failed') waiter.reject(new LearnerError(message.message, message.code));
    else waiter.resolve(message);
  }

  private fail(error: Error): void {
    this.exited ??= error;
    for (const waiter of this.pending.values()) waiter.reject(error);
    this.pending.clear();
  }
}
