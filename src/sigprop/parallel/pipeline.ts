import { MessageChannel, isMainThread, type MessagePort, type Worker } from 'node:worker_threads';
import type { LayerMetrics } from '../monitors/monitor.js';
import { loadNative } from '../backend/native.js';
import { Classifier } from '../classifier/classifier.js';
import type { StagePart } from './part.js';
import { spawnModuleWorker } from './spawn.js';
import { transferList } from './transfer.js';
import { awaitStartup } from './startup.js';
import type { ChainMessage, ModelSource, SetupMessage, StageReply } from './protocol.js';

/** Options of {@link Pipeline.start}. */
export interface PipelineOptions {
  /** Threads to learn in; `'auto'` (default) uses two when the machine has two cores or more and the model is large enough to gain (see `planStages`). Fewer are used when the model cannot be cut that often. */
  stages?: number | 'auto';
  /** The tfjs backend every stage runs (`'auto'`, `'wasm'`, `'cpu'`, …; see `backend.init`). */
  backend?: string;
}

/** The result of one {@link Pipeline.learn}. */
export interface PipelineLearned {
  /** Pre-update logits, row-major `[N, classes]` (the prequential prediction). */
  logits: Float32Array;
  /** The output layer's cross-entropy on the batch. */
  loss: number;
  /** Each local learner's loss and accuracy on this batch, in the model's order. */
  layers: LayerMetrics[];
  /** Updates and learned samples after this batch. */
  step: number;
  samples: number;
  /** Every model variable after this batch (as `readWeights`), when asked for. */
  weights: Float32Array[] | null;
  /** Time the stages spent learning it, ms (summed over stages; waiting and messaging excluded). */
  ms: number;
}

type Pending = { resolve: (reply: StageReply) => void; reject: (error: Error) => void };

/** An error from a stage thread, with the original error's code when it had one. */
export class PipelineError extends Error {
  constructor(
    message: string,
    readonly code?: string,
  ) {
    super(message);
    this.name = 'PipelineError';
  }
}

/**
 * A classifier learning in several threads at once, layer ranges one after the other like an
 * assembly line: stage 1 learns the signal and the first layers of batch n + 1 while stage 2
 * learns the next layers of batch n (paper §3: every layer learns from its own detached input,
 * so each stage needs only the flow of the one before). The result is bit-identical to
 * `Classifier.learn` on the same batches in the same order — only faster on several cores.
 * Requests are served strictly in the order they are made; any number may be in flight.
 * Node only (worker threads).
 */
export class Pipeline {
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;
  /** Why a stage thread died, once one has. */
  private failure: Error | null = null;
  /** Set by the owner's dispose() or terminate(): what every later request is refused with. */
  private closed: PipelineError | null = null;
  private disposing: Promise<void> | null = null;

  private constructor(
    private readonly workers: Worker[],
    /** The part of the model each stage learns, in order. */
    readonly parts: StagePart[],
    /** The backend the stages run. */
    readonly backend: string,
    /** Updates and learned samples of the model it started from. */
    readonly start: { step: number; samples: number },
  ) {
    for (const worker of workers) {
      worker.on('message', (message: StageReply) => this.onMessage(message));
      worker.on('error', (error) => this.fail(error));
      worker.on('exit', (code) => this.fail(new PipelineError(`a pipeline stage exited with code ${code}`)));
    }
  }

  /**
   * Builds the model in every stage from a config or checkpoint and connects the stages.
   * @throws PipelineError (with code `bad_checkpoint` or the config error's) when the model
   *   cannot be built; no thread is left running then.
   */
  static async start(source: ModelSource, options: PipelineOptions = {}): Promise<Pipeline> {
    const backend = options.backend ?? 'auto';
    // OpenBLAS reads its core type from the process environment when first loaded, and a worker
    // thread's process.env is its own copy: load it here so that the stages find it chosen.
    if (isMainThread) loadNative();
    const first = spawnModuleWorker(import.meta.url, './stage-worker');
    const workers = [first];
    try {
      const plan = await setup(first, { type: 'plan', source, backend, stages: stageCount(options.stages) });
      const parts = plan.parts;
      for (const part of parts.slice(1)) {
        const worker = spawnModuleWorker(import.meta.url, './stage-worker');
        workers.push(worker);
        const { port1, port2 } = new MessageChannel();
        workers[workers.length - 2].postMessage({ type: 'connect', downstream: port1 } satisfies SetupMessage, [port1]);
        await setup(worker, { type: 'join', source, backend, part, upstream: port2 }, [port2]);
      }
      return new Pipeline(workers, parts, plan.backend, { step: plan.step, samples: plan.samples });
    } catch (error) {
      await Promise.all(workers.map((w) => w.terminate()));
      throw error;
    }
  }

  /**
   * Learns one batch: `x` row-major `[N, ...inputShape]` float32, `labels` `[N]` integers in
   * `[0, classes)`, the first `fresh` of them new (default N). Both arrays are transferred to
   * the first stage (they are unusable here afterwards). With `publish` the result carries every
   * model variable after the update, written into the `spare` arrays of an earlier copy where
   * they fit (see `readWeights`; transferred too, unless they are views of shared memory).
   * @throws PipelineError as `Classifier.learn` (wrong size, bad label, batch too small for the
   *   loss), when x is not a Float32Array or labels not an Int32Array of its own (a transferred,
   *   detached or shared array), or `fresh` is not an integer in [0, N]; nothing is learned then.
   *   Code `disposed` after {@link dispose} or {@link terminate} (the arrays are not transferred).
   */
  async learn(x: Float32Array, labels: Int32Array, fresh = labels.length, publish = false, spare: readonly Float32Array[] = []): Promise<PipelineLearned> {
    checkBatch(x, labels, fresh);
    const reusable = spareArrays(publish ? spare : [], [x.buffer, labels.buffer]);
    const transfer = [x.buffer as ArrayBuffer, labels.buffer as ArrayBuffer, ...reusable.transfer];
    const reply = await this.request({ type: 'learn', labels, fresh, x, publish, layers: [], weights: [], spare: reusable.arrays, ms: 0 }, transfer);
    return expect(reply, 'learned');
  }

  /**
   * Every model variable (as `readWeights`) after the batches sent before this call, written
   * into `spare` arrays where they fit (transferred, unless views of shared memory).
   * @throws PipelineError `disposed` after dispose/terminate.
   */
  async weights(spare: readonly Float32Array[] = []): Promise<{ weights: Float32Array[]; step: number; samples: number }> {
    const reusable = spareArrays(spare, []);
    return expect(await this.request({ type: 'weights', weights: [], spare: reusable.arrays }, reusable.transfer), 'weights');
  }

  /** A checkpoint (see `serialize`) of the model after the batches sent before this call. @throws PipelineError `disposed` after dispose/terminate. */
  async checkpoint(): Promise<{ bytes: Uint8Array; step: number; samples: number }> {
    const { bytes, step, samples } = expect(await this.request({ type: 'checkpoint', parts: [] }), 'checkpoint');
    return { bytes, step, samples };
  }

  /** Replaces the model in every stage by a checkpoint's (of the same config). @throws PipelineError `bad_checkpoint`; `disposed` after dispose/terminate. */
  async restore(checkpoint: Uint8Array): Promise<{ step: number; samples: number }> {
    const { step, samples } = expect(await this.request({ type: 'restore', checkpoint }), 'restored');
    return { step, samples };
  }

  /**
   * Releases the model and ends the threads, after the requests already made. Requests made
   * from now on are refused at once (PipelineError `disposed`); {@link onFailure} is not called
   * for the threads' ending. Calling it again waits for the first call.
   */
  dispose(): Promise<void> {
    this.disposing ??= this.disposeOnce();
    return this.disposing;
  }

  /**
   * Ends the threads at once: requests not answered yet, and any made later, fail with
   * PipelineError `disposed`; {@link onFailure} is not called for the threads' ending.
   */
  async terminate(): Promise<void> {
    this.closed ??= new PipelineError('pipeline: terminated (terminate() was called); it answers no more requests: start a new one', 'disposed');
    this.rejectPending(this.closed);
    await Promise.all(this.workers.map((w) => w.terminate()));
  }

  /** Called once with the error when a stage thread dies on its own (the pipeline is unusable after); never for dispose() or terminate(). */
  onFailure: ((error: Error) => void) | null = null;

  private async disposeOnce(): Promise<void> {
    this.closed ??= new PipelineError('pipeline: disposed (dispose() was called); it answers no more requests: start a new one', 'disposed');
    if (!this.failure) await this.send({ type: 'dispose' }).catch(() => undefined);
    await this.terminate();
  }

  private request(message: DistributiveOmit<ChainMessage, 'id'>, transfer: ArrayBuffer[] = []): Promise<StageReply> {
    const refusal = this.closed ?? this.failure;
    return refusal ? Promise.reject(refusal) : this.send(message, transfer);
  }

  private send(message: DistributiveOmit<ChainMessage, 'id'>, transfer: ArrayBuffer[] = []): Promise<StageReply> {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.workers[0].postMessage({ ...message, id } as ChainMessage, transfer);
    });
  }

  private onMessage(message: StageReply): void {
    if (!('id' in message)) return;
    const waiter = this.pending.get(message.id);
    if (!waiter) return;
    this.pending.delete(message.id);
    if (message.type === 'failed') waiter.reject(new PipelineError(message.message, message.code));
    else waiter.resolve(message);
  }

  /** A stage thread died or exited: every waiting request fails; the owner hears of it unless it ended the threads itself. */
  private fail(error: Error): void {
    if (this.failure) return;
    this.failure = error;
    this.rejectPending(error);
    if (!this.closed) this.onFailure?.(error);
  }

  private rejectPending(error: Error): void {
    for (const waiter of this.pending.values()) waiter.reject(error);
    this.pending.clear();
  }
}

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;

/**
 * The checks a batch must pass before it is transferred: a detached buffer would be dropped by
 * postMessage without a word (the request would never be answered).
 * @throws PipelineError naming the argument and what was expected.
 */
function checkBatch(x: unknown, labels: unknown, fresh: number): void {
  const own = (a: unknown, type: typeof Float32Array | typeof Int32Array, name: string): void => {
    if (!(a instanceof type)) throw new PipelineError(`learn: ${name} must be a ${type.name}; got ${a?.constructor?.name ?? typeof a}`);
    if (!(a.buffer instanceof ArrayBuffer) || a.buffer.byteLength === 0) throw new PipelineError(`learn: ${name}'s buffer is detached or shared (an array passed to learn before is transferred); pass a fresh array`);
  };
  own(x, Float32Array, 'x');
  own(labels, Int32Array, 'labels');
  if ((x as Float32Array).buffer === (labels as Int32Array).buffer) throw new PipelineError('learn: x and labels share one buffer; give each its own');
  try {
    Classifier.checkFresh(fresh, (labels as Int32Array).length);
  } catch (error) {
    throw new PipelineError((error as Error).message);
  }
}

/**
 * The leading spare arrays that can travel, and what to transfer: views of shared memory go as
 * they are; other Float32Arrays must span a buffer of their own, not detached, not repeated, not
 * one of `taken` (a transfer list with any other fails as a whole). The rest are left out, and
 * the stages make new arrays for them.
 */
function spareArrays(spare: readonly Float32Array[], taken: ArrayBufferLike[]): { arrays: Float32Array[]; transfer: ArrayBuffer[] } {
  const seen = new Set<ArrayBufferLike>(taken);
  const arrays: Float32Array[] = [];
  for (const a of spare) {
    if (!(a instanceof Float32Array)) break;
    if (!(a.buffer instanceof SharedArrayBuffer)) {
      const own = a.buffer instanceof ArrayBuffer && a.byteOffset === 0 && a.byteLength === a.buffer.byteLength;
      if (!own || a.byteLength === 0 || seen.has(a.buffer)) break;
      seen.add(a.buffer);
    }
    arrays.push(a);
  }
  return { arrays, transfer: transferList(arrays) };
}

/** Narrows a reply to the expected type. */
function expect<T extends StageReply['type']>(reply: StageReply, type: T): Extract<StageReply, { type: T }> {
  if (reply.type !== type) throw new PipelineError(`pipeline: expected a '${type}' reply; got '${reply.type}'`);
  return reply as Extract<StageReply, { type: T }>;
}

/** Sends a setup message and waits for the stage's `ready` (or its failure, or its exit). */
function setup(worker: Worker, message: SetupMessage, transfer: Array<ArrayBuffer | MessagePort> = []): Promise<Extract<StageReply, { type: 'ready' }>> {
  return awaitStartup<StageReply, Extract<StageReply, { type: 'ready' }>>(
    worker,
    message,
    transfer,
    (reply) => (reply.type === 'ready' ? reply : reply.type === 'failed' ? new PipelineError(reply.message, reply.code) : undefined),
    (code) => new PipelineError(`a pipeline stage exited with code ${code} while starting`),
  );
}

/** The number of stages to plan. @throws PipelineError when `stages` is not a positive integer or 'auto'. */
function stageCount(stages: number | 'auto' = 'auto'): number | 'auto' {
  if (stages === 'auto') return stages;
  if (!Number.isInteger(stages) || stages < 1) throw new PipelineError(`stages is ${String(stages)}; expected a positive integer or 'auto'`);
  return stages;
}
