import type { Subscription } from 'rxjs';
import { sample, type Dataset } from '../datasets/dataset.js';
import type { MetricsEvent, SigpropClient } from '../ts/index.js';
import { Pacer } from './rate.js';

/** How a dataset is streamed (see {@link pushDataset}). */
export interface PushOptions {
  /** Items per second (default: as fast as the server answers, within `window`). */
  rate?: number;
  /** Every K-th item is sent unlabelled, as a prediction query (default: none). */
  unlabelledEvery?: number;
  /** Send each query's true label later, as a delayed label (default false: it is withheld). */
  delayLabels?: boolean;
  /** How many items after its prediction a delayed label is sent (default 100). */
  labelDelay?: number;
  /** Most items awaiting their answer at once (default 256). */
  window?: number;
}

/** Live counters of a push; read them while it runs. */
export interface PushProgress {
  total: number;
  /** Dataset items sent (learned or queried). */
  sent: number;
  /** Dataset items answered (acked or predicted). */
  answered: number;
  learned: number;
  /** Acks that were duplicates (resent items the server had already). */
  duplicates: number;
  predictions: number;
  /** Queries of items whose label is known, and how many of them were predicted right. */
  queries: { labelled: number; correct: number };
  /** Delayed labels acked. */
  labels: number;
  /** The output's prequential (test-then-train) score from the server's metrics windows. */
  prequential: { correct: number; samples: number };
  /** The model's learned-sample counter in its latest metrics window. */
  modelSamples: number;
  startedAt: number;
}

/** What a push did once the model has learned everything it sent. */
export interface PushSummary extends PushProgress {
  wallMs: number;
  /** Items answered per second. */
  rate: number;
  prequentialAccuracy: number | null;
  queryAccuracy: number | null;
}

/**
 * Streams a dataset to the client's model: labelled items are learned, every K-th item is sent
 * as a prediction query (its label sent later as a delayed label when asked), at a given rate
 * or as fast as the server takes them. Resolves once every item is answered, the model has
 * learned them all and its metrics window covering them has arrived.
 * @param onStart receives the live progress (e.g. to draw a progress bar).
 * @throws the first item's SigpropError (sending stops at it).
 */
export async function pushDataset(client: SigpropClient, dataset: Dataset, options: PushOptions = {}, onStart?: (progress: PushProgress) => void): Promise<PushSummary> {
  const push = new DatasetPush(client, dataset, options);
  onStart?.(push.progress);
  return push.run();
}

/** A delayed label waiting for its turn. */
interface DueLabel {
  due: number;
  predictionId: string;
  y: number;
}

class DatasetPush {
  readonly progress: PushProgress;
  private readonly pacer: Pacer;
  private readonly window: number;
  private readonly labelDelay: number;
  private readonly dueLabels: DueLabel[] = [];
  private inFlight = 0;
  private wake: Array<() => void> = [];
  private failure: unknown = null;
  private latestWindow: MetricsEvent | null = null;

  constructor(
    private readonly client: SigpropClient,
    private readonly dataset: Dataset,
    private readonly options: PushOptions,
  ) {
    this.pacer = new Pacer(options.rate);
    this.window = options.window ?? 256;
    this.labelDelay = options.labelDelay ?? 100;
    this.progress = {
      total: dataset.count,
      sent: 0,
      answered: 0,
      learned: 0,
      duplicates: 0,
      predictions: 0,
      queries: { labelled: 0, correct: 0 },
      labels: 0,
      prequential: { correct: 0, samples: 0 },
      modelSamples: 0,
      startedAt: Date.now(),
    };
  }

  async run(): Promise<PushSummary> {
    const metrics = this.client.metrics$.subscribe((event) => this.onWindow(event));
    try {
      for (let i = 0; i < this.dataset.count && this.failure === null; i++) {
        this.sendDueLabels(i);
        await this.slot();
        await this.pacer.next();
        this.sendItem(i);
      }
      await this.idle();
      while (this.dueLabels.length > 0 && this.failure === null) {
        this.sendDueLabels(Number.POSITIVE_INFINITY);
        await this.idle();
      }
      if (this.failure !== null) throw this.failure;
      await this.untilLearned(metrics);
    } finally {
      metrics.unsubscribe();
    }
    return this.summary();
  }

  private sendItem(i: number): void {
    const x = sample(this.dataset, i);
    const y = this.dataset.y[i];
    const every = this.options.unlabelledEvery;
    this.progress.sent++;
    if (y >= 0 && !(every && (i + 1) % every === 0)) {
      this.track(this.client.learn(x, y).then((ack) => this.onLearned(ack.duplicate)));
      return;
    }
    this.track(this.client.predict(x).then((prediction) => this.onPredicted(i, y, prediction.predictionId, prediction.label)));
  }

  private onLearned(duplicate: boolean): void {
    this.progress.answered++;
    this.progress.learned++;
    if (duplicate) this.progress.duplicates++;
  }

  private onPredicted(i: number, y: number, predictionId: string, label: number): void {
    this.progress.answered++;
    this.progress.predictions++;
    if (y < 0) return;
    this.progress.queries.labelled++;
    if (label === y) this.progress.queries.correct++;
    if (this.options.delayLabels) this.dueLabels.push({ due: i + this.labelDelay, predictionId, y });
  }

  /** Sends the delayed labels due by item `i` (predictions resolve in order, so the queue is sorted). */
  private sendDueLabels(i: number): void {
    while (this.dueLabels.length > 0 && this.dueLabels[0].due <= i) {
      const { predictionId, y } = this.dueLabels.shift() as DueLabel;
      this.track(
        this.client.label(predictionId, y).then((ack) => {
          this.progress.labels++;
          if (ack.duplicate) this.progress.duplicates++;
        }),
      );
    }
  }

  private track(reply: Promise<void>): void {
    this.inFlight++;
    reply
      .catch((error: unknown) => {
        this.failure ??= error;
      })
      .finally(() => {
        this.inFlight--;
        for (const wake of this.wake.splice(0)) wake();
      });
  }

  /** Waits until fewer than `window` items are in flight. */
  private async slot(): Promise<void> {
    while (this.inFlight >= this.window) await new Promise<void>((resolve) => this.wake.push(resolve));
  }

  /** Waits until nothing is in flight. */
  private async idle(): Promise<void> {
    while (this.inFlight > 0) await new Promise<void>((resolve) => this.wake.push(resolve));
  }

  private onWindow(event: MetricsEvent): void {
    this.latestWindow = event;
    this.progress.modelSamples = event.samples;
    const output = event.layers.find((layer) => layer.layer === 'output');
    if (!output) return;
    this.progress.prequential.samples += output.samples;
    this.progress.prequential.correct += output.accuracy * output.samples;
  }

  /**
   * Waits until the model's queue is empty, then for the metrics window that covers its last
   * learned sample (windows close at least every few seconds), at most `WINDOW_WAIT_MS`.
   */
  private async untilLearned(metrics: Subscription): Promise<void> {
    let samples = 0;
    for (;;) {
      const status = await this.client.api.model(this.client.model);
      samples = status.samples;
      if (status.queued === 0) break;
      await sleep(250);
    }
    const deadline = Date.now() + WINDOW_WAIT_MS;
    while (!metrics.closed && (this.latestWindow?.samples ?? -1) < samples && Date.now() < deadline) await sleep(100);
  }

  private summary(): PushSummary {
    const p = this.progress;
    const wallMs = Date.now() - p.startedAt;
    return {
      ...p,
      wallMs,
      rate: p.answered / Math.max(wallMs / 1000, 1e-3),
      prequentialAccuracy: p.prequential.samples ? p.prequential.correct / p.prequential.samples : null,
      queryAccuracy: p.queries.labelled ? p.queries.correct / p.queries.labelled : null,
    };
  }
}

/** Metrics windows close after 1,000 samples or 5 s by default: wait a little longer than that. */
const WINDOW_WAIT_MS = 8000;

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
