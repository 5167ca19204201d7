/** Waiting for the server to have learned what was sent, or to have a backlog, read from `GET /v1/models/:model`. */
import type { SigpropApi } from '../../clients/ts/api.js';

/** A model's learning counters at one moment. */
export interface LearnCounters {
  samples: number;
  step: number;
  /** `performance.now()` when read, ms. */
  atMs: number;
}

/** The model's learned-sample and update counters now. */
export async function learnCounters(api: SigpropApi, model: string): Promise<LearnCounters> {
  const status = await api.model(model);
  return { samples: status.samples, step: status.step, atMs: performance.now() };
}

/**
 * Polls the model every `everyMs` until it has learned `samples` samples in all; resolves with
 * the first counters that reach it.
 * @throws Error when that takes longer than `timeoutMs`.
 */
export async function waitLearned(api: SigpropApi, model: string, samples: number, timeoutMs = 600_000, everyMs = 10): Promise<LearnCounters> {
  const deadline = performance.now() + timeoutMs;
  while (performance.now() < deadline) {
    const counters = await learnCounters(api, model);
    if (counters.samples >= samples) return counters;
    await new Promise((resolve) => setTimeout(resolve, everyMs));
  }
  throw new Error(`model '${model}' did not learn ${samples} samples within ${timeoutMs} ms`);
}

/**
 * Waits until the model has at least `queued` items waiting to be learned (its learner is then
 * busy without pause). @throws Error when that does not happen within `timeoutMs`.
 */
export async function waitForBacklog(api: SigpropApi, model: string, queued: number, timeoutMs = 60_000): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (performance.now() < deadline) {
    if ((await api.model(model)).queued >= queued) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`model '${model}' never had ${queued} items queued within ${timeoutMs} ms: the producers do not saturate the learner`);
}
