import { Subject, type Subscription } from 'rxjs';
import type { ModelConfig } from '../sigprop/config/schema.js';
import { needsBatch } from '../sigprop/zoo/loss-by-name.js';
import type { LearnerClient } from './learner/client.js';
import type { LearnReply } from './learner/protocol.js';
import { adaptiveBatch } from './batching.js';
import { ReplayBuffer, type ReplaySample } from './replay-buffer.js';
import { scorePrequential, type PrequentialItem } from './prequential.js';

/** An accepted labelled item waiting to be learned: its recording position, input and label. */
export interface QueuedItem extends ReplaySample {
  seq: number;
}

/** What one learned batch produced, for metrics and checkpoints. */
export interface LearnedBatch {
  items: readonly QueuedItem[];
  reply: LearnReply;
  prequential: PrequentialItem[];
}

/**
 * The learning path of one model: accepted items flow through an RxJS pipeline with adaptive
 * micro-batching into the learner threads, in recording order, with up to `capacity` batches in
 * flight (one per pipeline stage and one waiting, so no stage idles for a round trip). Each batch
 * is topped up from a replay buffer (reservoir) when the config asks for it or when the loss
 * needs ≥ 2 rows; the pre-update logits of the new items give their prequential score.
 */
export class LearningLoop {
  private readonly accepted$ = new Subject<QueuedItem>();
  private readonly ready$ = new Subject<void>();
  private readonly learned$ = new Subject<LearnedBatch>();
  private readonly subscription: Subscription;
  private readonly replay: ReplayBuffer;
  private waiting = 0;
  private inFlight = 0;
  private idleWaiters: Array<() => void> = [];
  /** Seq of the last item handed to the learner (a checkpoint requested now covers it). */
  dispatchedSeq: number;

  /** Every learned batch, in order. */
  readonly batches$ = this.learned$.asObservable();

  constructor(
    private readonly learner: LearnerClient,
    private readonly config: ModelConfig,
    lastSeq: number,
    private readonly onError: (error: Error) => void,
    capacity = 1,
  ) {
    this.dispatchedSeq = lastSeq;
    this.replay = new ReplayBuffer(config.replay.size, config.seed);
    const minSize = () => (needsBatch(config.loss) && this.replay.size === 0 ? 2 : 1);
    this.subscription = this.accepted$
      .pipe(adaptiveBatch(this.ready$, { maxSize: config.batch.maxSize, minSize, maxWaitMs: config.batch.maxWaitMs, capacity }))
      .subscribe((batch) => void this.learnBatch(batch).finally(() => this.ready$.next()));
  }

  /** Items accepted but not yet learned. */
  get queued(): number {
    return this.waiting;
  }

  /** Queues accepted items for learning (in recording order). */
  push(items: readonly QueuedItem[]): void {
    this.waiting += items.length;
    for (const item of items) this.accepted$.next(item);
  }

  /** Resolves once nothing is queued or being learned. */
  whenIdle(): Promise<void> {
    if (this.isIdle()) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  /** Stops the pipeline; queued items stay in the recording and are learned after a restart. */
  stop(): void {
    this.subscription.unsubscribe();
    this.learned$.complete();
  }

  private isIdle(): boolean {
    return this.inFlight === 0 && this.waiting === 0;
  }

  private async learnBatch(items: QueuedItem[]): Promise<void> {
    this.inFlight += 1;
    this.dispatchedSeq = items[items.length - 1].seq;
    let learned: LearnedBatch | null = null;
    try {
      learned = await learnWithReplay(this.learner, this.config, this.replay, items);
    } catch (error) {
      this.onError(error as Error);
    }
    // Counted out before subscribers hear of the batch: they release blocked producers by the room left.
    this.waiting -= items.length;
    this.inFlight -= 1;
    if (learned) this.learned$.next(learned);
    this.notifyIdle();
  }

  private notifyIdle(): void {
    if (!this.isIdle()) return;
    const waiters = this.idleWaiters;
    this.idleWaiters = [];
    for (const resolve of waiters) resolve();
  }
}

/**
 * Learns `items` as one update, topped up with replayed samples (`config.replay.mix`, or enough
 * to reach 2 rows for a loss that compares samples), then adds them to the replay buffer. A lone
 * item of a batch loss with nothing to replay yet (only at the very start of a stream, after
 * `batch.maxWaitMs`) is paired with itself: the loss then pulls its `h` towards its own `t`.
 * The items join the replay buffer as soon as they are sent, so what a batch replays does not
 * depend on how many batches are in flight. Returns the prequential scores of the new items (the extra rows are not scored).
 */
export async function learnWithReplay(learner: LearnerClient, config: ModelConfig, replay: ReplayBuffer, items: readonly QueuedItem[]): Promise<LearnedBatch> {
  const minRows = needsBatch(config.loss) ? 2 : 1;
  const extra = replay.sample(Math.max(config.replay.mix, minRows - items.length));
  const rows = [...items, ...extra];
  while (rows.length < minRows) rows.push(items[0]);
  const features = items[0].x.length;
  const x = new Float32Array(rows.length * features);
  rows.forEach((r, i) => x.set(r.x, i * features));
  const y = Int32Array.from(rows, (r) => r.y);
  const labels = y.slice(0, items.length);
  const sent = learner.learn(x, y, items.length);
  for (const item of items) replay.add(item);
  const reply = await sent;
  const prequential = scorePrequential(reply.logits, labels, items.length, config.classes);
  return { items, reply, prequential };
}
