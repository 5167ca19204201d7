import type { EvaluationRequest, EvaluationStatus, SigpropApi } from '../ts/index.js';
import { SigpropError } from '../ts/index.js';
import { progressBar } from './progress.js';

/** How often a running evaluation is polled, ms. */
const POLL_MS = 250;

/**
 * Resolves a recording argument: a recording id, or a model name (its live recording).
 * @returns the recording id and the model it belongs to.
 * @throws SigpropError `unknown_recording` / `unknown_model`.
 */
export async function findRecording(api: SigpropApi, recording: string): Promise<{ id: number; model: string }> {
  if (/^\d+$/.test(recording)) {
    const found = (await api.recordings()).find((r) => r.id === Number(recording));
    if (!found) throw new SigpropError('unknown_recording', `no recording ${recording} (see GET /v1/recordings)`);
    return { id: found.id, model: found.model };
  }
  const model = await api.model(recording);
  return { id: model.recordingId, model: model.name };
}

/**
 * Starts an evaluation (a replay of a recording into a separate model) and polls it to the
 * end, reporting progress (0..1) on the way.
 * @returns the final status, `done` with its report.
 * @throws SigpropError `evaluation_failed` with the server's reason when it failed.
 */
export async function runEvaluation(api: SigpropApi, request: EvaluationRequest, onProgress: (progress: number) => void): Promise<EvaluationStatus> {
  let status = await api.evaluate(request);
  while (status.status === 'running') {
    onProgress(status.progress);
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
    status = await api.evaluation(status.id);
  }
  onProgress(status.progress);
  if (status.status === 'failed') throw new SigpropError('evaluation_failed', `evaluation ${status.id} failed: ${status.error}`);
  return status;
}

/** {@link runEvaluation} with a progress bar on stderr (shared by `sigprop replay` and the demo). */
export async function evaluateWithProgress(api: SigpropApi, request: EvaluationRequest): Promise<EvaluationStatus> {
  const bar = progressBar('replay {bar} {percentage}% | {duration_formatted}');
  bar.start(100, 0);
  try {
    return await runEvaluation(api, request, (progress) => bar.update(Math.round(progress * 100)));
  } finally {
    bar.stop();
  }
}
