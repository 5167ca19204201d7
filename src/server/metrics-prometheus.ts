import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { Engine } from '../stream/engine.js';
import type { ErrorCode } from './errors.js';

/** Where a request came in. */
export type Transport = 'ws' | 'http';

/** Operations timed and counted: the item ops. */
export type TimedOp = 'learn' | 'predict' | 'label';

/**
 * The server's Prometheus metrics (prom-client), in a registry of its own so that several
 * servers in one process (tests) do not collide:
 * - `sigprop_items_total{model,op}` accepted items (learned, predicted, labelled);
 * - `sigprop_errors_total{code,transport}` error replies by protocol code;
 * - `sigprop_op_duration_seconds{op,transport}` from a request's arrival to its reply
 *   (for learn: to the durable ack);
 * - `sigprop_ws_connections` open stream connections;
 * - `sigprop_model_{samples,step,queued,pending_predictions}{model}` read from the engine at scrape;
 * - the process defaults of prom-client (CPU, memory, event-loop lag) with prefix `sigprop_`.
 */
export class ServerMetrics {
  readonly registry = new Registry();
  private readonly items: Counter<'model' | 'op'>;
  private readonly errors: Counter<'code' | 'transport'>;
  private readonly duration: Histogram<'op' | 'transport'>;
  private readonly connections: Gauge;

  constructor(engine: Engine) {
    const registers = [this.registry];
    collectDefaultMetrics({ register: this.registry, prefix: 'sigprop_' });
    this.items = new Counter({ name: 'sigprop_items_total', help: 'accepted items by model and op', labelNames: ['model', 'op'], registers });
    this.errors = new Counter({ name: 'sigprop_errors_total', help: 'error replies by code', labelNames: ['code', 'transport'], registers });
    this.duration = new Histogram({
      name: 'sigprop_op_duration_seconds',
      help: 'time from request to reply (learn: to the durable ack), seconds',
      labelNames: ['op', 'transport'],
      buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers,
    });
    this.connections = new Gauge({ name: 'sigprop_ws_connections', help: 'open WebSocket stream connections', registers });
    this.registerModelGauges(engine);
  }

  /** Starts timing one request; call the result when its reply is ready (returns the seconds). */
  startTimer(op: TimedOp, transport: Transport): () => number {
    return this.duration.startTimer({ op, transport });
  }

  /** Counts `count` accepted items of `op` on `model`. */
  countItems(model: string, op: TimedOp, count: number): void {
    this.items.inc({ model, op }, count);
  }

  /** Counts one error reply. */
  countError(code: ErrorCode, transport: Transport): void {
    this.errors.inc({ code, transport });
  }

  /** Tracks open stream connections (+1 on open, −1 on close). */
  connectionDelta(delta: 1 | -1): void {
    this.connections.inc(delta);
  }

  /** The exposition text and its content type. */
  async render(): Promise<{ contentType: string; body: string }> {
    return { contentType: this.registry.contentType, body: await this.registry.metrics() };
  }

  /** Model gauges read from the engine on each scrape (no bookkeeping on the hot path). */
  private registerModelGauges(engine: Engine): void {
    const fields = { samples: 'learned samples', step: 'model updates', queued: 'labelled items waiting', pendingPredictions: 'stored predictions awaiting a label' } as const;
    for (const [field, help] of Object.entries(fields) as Array<[keyof typeof fields, string]>) {
      const name = `sigprop_model_${field === 'pendingPredictions' ? 'pending_predictions' : field}`;
      new Gauge({
        name,
        help,
        labelNames: ['model'],
        registers: [this.registry],
        collect() {
          this.reset();
          for (const status of engine.models()) this.set({ model: status.name }, status[field]);
        },
      });
    }
  }
}
