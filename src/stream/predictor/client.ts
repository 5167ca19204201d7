import { isMainThread, type Worker } from 'node:worker_threads';
import { loadNative } from '../../sigprop/backend/native.js';
import { spawnModuleWorker } from '../../sigprop/parallel/spawn.js';
import { transferList } from '../../sigprop/parallel/transfer.js';
import { awaitStartup } from '../../sigprop/parallel/startup.js';
import type { WeightsSnapshot } from '../learner/protocol.js';
import { argmax } from '../argmax.js';
import { StreamError } from '../errors.js';
import type { PredictorReply, PredictorRequest } from './protocol.js';

/** A prediction before it gets an id: class, probabilities and the step of the weights used. */
export interface RawPrediction {
  label: number;
  probs: number[];
  step: number;
}

type Waiter = { resolve: (reply: Extract<PredictorReply, { type: 'predicted' }>) => void; reject: (error: Error) => void };

/**
 * The main thread's handle on a model's prediction thread (`thread.ts`), which holds the
 * inference copy and follows the learner's weight snapshots. Measured on 2 cores under saturated
 * learning, forward passes and snapshot loads took over a third of the main thread's time, and
 * every prediction waited behind the others' frames and commits; in their own thread they
 * wait for neither. Requests are answered in order; a snapshot offered before a prediction is
 * used by it.
 */
export class PredictorClient {
  private readonly pending = new Map<number, Waiter>();
  private nextId = 1;
  private failure: Error | null = null;
  private stopped = false;

  /** Called once with the error when the thread dies or cannot load a snapshot (it is unusable after). */
  onFailure: ((error: Error) => void) | null = null;

  /** Receives each offered snapshot's arrays back once the thread has loaded (or skipped) it, for the learner to refill. */
  onRecycled: ((arrays: Float32Array[]) => void) | null = null;

  private constructor(
    private readonly worker: Worker,
    private readonly classes: number,
  ) {
    worker.on('message', (message: PredictorReply) => this.onMessage(message));
    worker.on('error', (error) => this.fail(error));
    worker.on('exit', (code) => this.fail(new Error(`the prediction thread exited with code ${code}`)));
  }

  /**
   * Starts a prediction thread with a model of `config` (validated again there), its weights to
   * be replaced by the first snapshot offered.
   * @param step the update count of the weights it starts with.
   * @throws Error when the thread cannot start or the config is invalid (no thread is left running).
   */
  static async start(config: { classes: number }, step: number, backend: string): Promise<PredictorClient> {
    // OpenBLAS reads its core type from the process environment when first loaded (see Pipeline.start).
    if (isMainThread) loadNative();
    const worker = spawnModuleWorker(import.meta.url, './thread');
    try {
      await ready(worker, { type: 'init', config, backend, step });
    } catch (error) {
      await worker.terminate();
      throw error;
    }
    return new PredictorClient(worker, config.classes);
  }

  /** Hands the thread the learner's latest weights (arrays not over shared memory are transferred: unusable here after). */
  offer(snapshot: WeightsSnapshot): void {
    if (this.failure || this.stopped) return;
    this.worker.postMessage({ type: 'weights', ...snapshot } satisfies PredictorRequest, transferList(snapshot.arrays));
  }

  /**
   * Predicts N inputs. @param x row-major `[N, features]` float32 (transferred: unusable here after).
   * @returns one prediction per row, with softmax probabilities and the step of the weights used.
   * @throws StreamError `closed` after {@link dispose}, `diverged` when the outputs are not finite; Error when the thread failed.
   */
  predict(x: Float32Array, n: number): Promise<RawPrediction[]> {
    if (this.stopped) return Promise.reject(new StreamError('closed', 'the model is closed'));
    if (this.failure) return Promise.reject(this.failure);
    const id = this.nextId++;
    return new Promise<Extract<PredictorReply, { type: 'predicted' }>>((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.worker.postMessage({ type: 'predict', id, x, n } satisfies PredictorRequest, [x.buffer as ArrayBuffer]);
    }).then(({ probs, step }) => rows(probs, n, this.classes, step));
  }

  /** Ends the thread; predictions not answered yet fail with `closed`. */
  async dispose(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    this.rejectAll(new StreamError('closed', 'the model was closed before the prediction was answered'));
    await this.worker.terminate();
  }

  private onMessage(message: PredictorReply): void {
    if (message.type === 'ready') return;
    if (message.type === 'recycled') return this.onRecycled?.(message.arrays);
    if (message.type === 'broken') return this.fail(new Error(`prediction thread: ${message.message}`));
    const waiter = this.pending.get(message.id);
    if (!waiter) return;
    this.pending.delete(message.id);
    if (message.type === 'failed') waiter.reject(new Error(`prediction thread: ${message.message}`));
    else waiter.resolve(message);
  }

  private fail(error: Error): void {
    if (this.failure || this.stopped) return;
    this.failure = error;
    this.rejectAll(error);
    this.onFailure?.(error);
  }

  private rejectAll(error: Error): void {
    for (const waiter of this.pending.values()) waiter.reject(error);
    this.pending.clear();
  }
}

/**
 * Splits row-major probabilities `[N, classes]` into predictions.
 * @throws StreamError `diverged` when any is not finite (NaN weights answer nothing useful).
 */
function rows(probs: Float32Array, n: number, classes: number, step: number): RawPrediction[] {
  if (!probs.every(Number.isFinite)) {
    throw new StreamError('diverged', `the model's outputs at step ${step} are not finite: its weights diverged (e.g. a learning rate too high for the inputs' scale); restore a checkpoint or recreate the model`);
  }
  return Array.from({ length: n }, (_, i) => {
    const row = Array.from(probs.subarray(i * classes, (i + 1) * classes));
    return { label: argmax(row), probs: row, step };
  });
}

/** Sends `init` and waits for `ready` (or the failure, or the thread's exit). */
function ready(worker: Worker, message: PredictorRequest): Promise<void> {
  return awaitStartup<PredictorReply, string>(
    worker,
    message,
    [],
    (reply) => (reply.type === 'ready' ? reply.backend : reply.type === 'broken' ? new Error(reply.message) : undefined),
    (code) => new Error(`the prediction thread exited with code ${code} while starting`),
  ).then(() => undefined);
}
