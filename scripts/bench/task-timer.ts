/**
 * A diagnostic for the latency benchmark: times chosen main-thread tasks of a server running in
 * this process by wrapping methods on their classes' prototypes (private ones included, by name:
 * rename them here when the engine renames them), and records each span so that slow requests
 * can be matched with the tasks that ran meanwhile.
 */
import { percentile } from './stats.js';

/** A timed task: what ran, from when, for how long (`performance.now()` ms). */
interface Span {
  label: string;
  startMs: number;
  ms: number;
}

/** Durations of one kind of task over a recording. */
export interface TaskSummary {
  label: string;
  count: number;
  p50: number;
  p99: number;
  max: number;
  /** Share of the recording's wall time spent in these tasks. */
  share: number;
}

type Method = (...args: unknown[]) => unknown;

/** Spans shorter than this are counted but not kept for {@link TaskTimer.overlapping}. */
const KEEP_SPANS_FROM_MS = 1;

/** Wraps methods, records their spans between {@link start} and {@link stop}, and summarises them. */
export class TaskTimer {
  private readonly durations = new Map<string, number[]>();
  private readonly spans: Span[] = [];
  private readonly restores: Array<() => void> = [];
  private recording = false;

  /**
   * Times `method` of every instance of a class (its `prototype`) under `label`; calls for which
   * `when(instance)` is false (checked before the call) are not timed.
   * @throws Error when the prototype has no such method.
   */
  wrap(prototype: object, method: string, label: string, when: (self: never) => boolean = () => true): void {
    const target = prototype as Record<string, Method>;
    const original = target[method];
    if (typeof original !== 'function') throw new Error(`task timer: no method '${method}' to time`);
    const record = (startMs: number): void => this.record(label, startMs, performance.now() - startMs);
    const isRecording = (): boolean => this.recording;
    target[method] = function (this: never, ...args: unknown[]) {
      if (!isRecording() || !when(this)) return original.apply(this, args);
      const startMs = performance.now();
      try {
        return original.apply(this, args);
      } finally {
        record(startMs);
      }
    };
    this.restores.push(() => (target[method] = original));
  }

  /** Records one span measured elsewhere (while recording). */
  record(label: string, startMs: number, ms: number): void {
    if (!this.recording) return;
    const list = this.durations.get(label) ?? [];
    list.push(ms);
    this.durations.set(label, list);
    if (ms >= KEEP_SPANS_FROM_MS) this.spans.push({ label, startMs, ms });
  }

  /** Starts a new recording (forgetting the previous one). */
  start(): void {
    this.durations.clear();
    this.spans.length = 0;
    this.recording = true;
  }

  /** Ends the recording. */
  stop(): void {
    this.recording = false;
  }

  /** Puts the original methods back. */
  restore(): void {
    for (const restore of this.restores.splice(0)) restore();
  }

  /** Each label's durations over a recording of `wallMs`. */
  summary(wallMs: number): TaskSummary[] {
    return [...this.durations].map(([label, ms]) => ({
      label,
      count: ms.length,
      p50: percentile(ms, 50),
      p99: percentile(ms, 99),
      max: Math.max(...ms),
      share: ms.reduce((a, b) => a + b, 0) / wallMs,
    }));
  }

  /** Labels of the kept spans that overlap `[startMs, endMs]`, sorted, without repeats. */
  overlapping(startMs: number, endMs: number): string[] {
    const labels = this.spans.filter((s) => s.startMs < endMs && s.startMs + s.ms > startMs).map((s) => s.label);
    return [...new Set(labels)].sort();
  }
}
