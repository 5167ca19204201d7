import type { LayerMetrics } from '../sigprop/monitors/monitor.js';
import type { LayerWindow, MetricsEvent } from './types.js';
import type { PrequentialItem } from './prequential.js';

/** When a window closes: after `samples` learned items or `ms` milliseconds, whichever first. */
export interface WindowPolicy {
  samples: number;
  ms: number;
}

interface Sums {
  loss: number;
  correct: number;
  samples: number;
}

/**
 * Aggregates what happens to one model into windows: each learning layer's loss and accuracy,
 * the output's prequential accuracy and loss, learn throughput and prediction latency.
 * `close()` turns the current window into a {@link MetricsEvent} and starts the next one.
 */
export class MetricsWindow {
  private layers = new Map<string, Sums>();
  private output: Sums = { loss: 0, correct: 0, samples: 0 };
  private latencies: number[] = [];
  private started: number;
  private window: number;

  constructor(
    readonly model: string,
    readonly policy: WindowPolicy,
    firstWindow = 1,
    private readonly now: () => number = Date.now,
  ) {
    this.window = firstWindow;
    this.started = now();
  }

  /** Adds one learned batch: its layers' metrics (per-batch means) and its items' prequential scores. */
  addBatch(layers: readonly LayerMetrics[], items: readonly PrequentialItem[]): void {
    for (const layer of layers) {
      const sums = this.layers.get(layer.name) ?? { loss: 0, correct: 0, samples: 0 };
      sums.loss += layer.loss * layer.count;
      sums.correct += layer.accuracy * layer.count;
      sums.samples += layer.count;
      this.layers.set(layer.name, sums);
    }
    for (const item of items) {
      this.output.loss += item.loss;
      this.output.correct += item.correct ? 1 : 0;
      this.output.samples += 1;
    }
  }

  /** Records one prediction's latency in ms. */
  addPrediction(latencyMs: number): void {
    this.latencies.push(latencyMs);
  }

  /** True when the window has something in it (a learned item or a prediction). */
  busy(): boolean {
    return this.output.samples > 0 || this.latencies.length > 0;
  }

  /** True when the window is full (samples) or old enough (time) and has something in it. */
  due(): boolean {
    return this.busy() && (this.output.samples >= this.policy.samples || this.now() - this.started >= this.policy.ms);
  }

  /** Closes the window. @param samples/step the model's counters at the end of it. */
  close(samples: number, step: number): MetricsEvent {
    const time = this.now();
    const layers: LayerWindow[] = [...this.layers.entries()].map(([layer, s]) => mean(layer, s));
    if (this.output.samples > 0) layers.push(mean('output', this.output));
    const event: MetricsEvent = {
      model: this.model,
      window: this.window,
      time,
      samples,
      step,
      layers,
      throughput: this.output.samples / Math.max((time - this.started) / 1000, 1e-3),
      predictLatencyMs: latencySummary(this.latencies),
      predictions: this.latencies.length,
    };
    this.window += 1;
    this.started = time;
    this.layers = new Map();
    this.output = { loss: 0, correct: 0, samples: 0 };
    this.latencies = [];
    return event;
  }
}

function mean(layer: string, s: Sums): LayerWindow {
  return { layer, loss: s.samples ? s.loss / s.samples : 0, accuracy: s.samples ? s.correct / s.samples : 0, samples: s.samples };
}

/** p50, p99 and max of latencies in ms (null when there are none). */
export function latencySummary(latencies: readonly number[]): MetricsEvent['predictLatencyMs'] {
  if (latencies.length === 0) return null;
  const sorted = [...latencies].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
  return { p50: at(0.5), p99: at(0.99), max: sorted[sorted.length - 1] };
}
