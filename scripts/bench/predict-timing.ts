/** Timed prediction round trips of one SDK client, for the latency benchmark and its breakdown. */
import { connect } from '../../clients/ts/index.js';
import type { BenchData } from './bench-data.js';

/** One prediction: when it was sent and its round trip (`performance.now()` ms). */
export interface TimedPrediction {
  startMs: number;
  ms: number;
}

/** Predictions sent before the timed ones (first-call compilation, JIT). */
export const WARM_UP_PREDICTIONS = 50;

/**
 * Connects to `model` and times `count` predictions, one at a time with 0–2 ms pauses (so that
 * they do not lock into step with the server's periodic work), after the untimed warm-up ones.
 * @throws SigpropError when the connection fails or a prediction is refused.
 */
export async function timePredictions(url: string, model: string, binary: boolean, data: BenchData, count: number): Promise<TimedPrediction[]> {
  const client = await connect(url, { model, binary, reconnect: false });
  const timed: TimedPrediction[] = [];
  try {
    for (let i = 0; i < WARM_UP_PREDICTIONS + count; i++) {
      const startMs = performance.now();
      await client.predict(data.x(i));
      if (i >= WARM_UP_PREDICTIONS) timed.push({ startMs, ms: performance.now() - startMs });
      await new Promise((resolve) => setTimeout(resolve, Math.floor(Math.random() * 3)));
    }
  } finally {
    await client.close();
  }
  return timed;
}
