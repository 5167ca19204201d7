/**
 * Producers for the server benchmarks: WebSocket clients of the SDK pushing labelled items as
 * fast as the server's backpressure allows (each keeps up to `window` items unacknowledged;
 * the server stops reading a connection with 256 unanswered messages and blocks admission when
 * the model's queue is full).
 */
import { connect, type SigpropClient } from '../../clients/ts/index.js';
import type { BenchData } from './bench-data.js';

/** What to push, and how. */
export interface ProduceOptions {
  url: string;
  model: string;
  /** Connections pushing in parallel. */
  producers: number;
  /** Items in all (producer p sends items p, p + producers, …). */
  items: number;
  /** Binary Float32 frames instead of JSON text frames. */
  binary: boolean;
  data: BenchData;
  /** Unacknowledged items per producer (default 512). */
  window?: number;
  /** Index of the first input used (so that runs in a row see new inputs). */
  offset?: number;
  /** Stops sending when aborted (what was sent is still awaited). */
  signal?: AbortSignal;
}

/** When the items went out and were acknowledged (`performance.now()` ms). */
export interface ProduceResult {
  acked: number;
  firstSendMs: number;
  lastAckMs: number;
}

/**
 * Connects the producers, then pushes the items and waits for every ack.
 * @throws SigpropError when a connection fails or an item is refused.
 */
export async function produce(options: ProduceOptions): Promise<ProduceResult> {
  const clients = await Promise.all(
    Array.from({ length: options.producers }, () => connect(options.url, { model: options.model, binary: options.binary, reconnect: false })),
  );
  const firstSendMs = performance.now();
  try {
    const counts = await Promise.all(clients.map((client, p) => pushShare(client, p, options)));
    return { acked: counts.reduce((a, b) => a + b, 0), firstSendMs, lastAckMs: performance.now() };
  } finally {
    await Promise.all(clients.map((c) => c.close()));
  }
}

/** Producer `p`'s share of the items, with at most `window` unacknowledged; resolves with its acks. */
async function pushShare(client: SigpropClient, p: number, options: ProduceOptions): Promise<number> {
  const window = options.window ?? 512;
  const offset = options.offset ?? 0;
  let inFlight = 0;
  let acked = 0;
  let freed: (() => void) | null = null;
  let failure: unknown = null;
  for (let i = p; i < options.items && !options.signal?.aborted && failure === null; i += options.producers) {
    if (inFlight >= window) await new Promise<void>((resolve) => (freed = resolve));
    inFlight++;
    client.learn(options.data.x(offset + i), options.data.y(offset + i)).then(
      () => acked++,
      (error: unknown) => (failure ??= error),
    ).finally(() => {
      inFlight--;
      freed?.();
      freed = null;
    });
  }
  while (inFlight > 0) await new Promise<void>((resolve) => (freed = resolve));
  if (failure !== null) throw failure;
  return acked;
}
