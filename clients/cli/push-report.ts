import type { PushProgress, PushSummary } from './push-stream.js';
import { formatFields, percent } from './table.js';

/** The progress bar's format for a push (payload keys from {@link pushPayload}). */
export const PUSH_BAR_FORMAT = 'push {bar} {value}/{total} | {rate} items/s | prequential {prequential} | queries {queries} | model samples {samples}';

/** The progress bar payload of a push's live counters. */
export function pushPayload(progress: PushProgress): Record<string, string | number> {
  const seconds = Math.max((Date.now() - progress.startedAt) / 1000, 1e-3);
  const { prequential, queries } = progress;
  return {
    rate: Math.round(progress.answered / seconds),
    prequential: prequential.samples ? percent(prequential.correct / prequential.samples, 1) : '–',
    queries: queries.labelled ? percent(queries.correct / queries.labelled, 1) : '–',
    samples: progress.modelSamples,
  };
}

/** The human-readable summary of a finished push. */
export function formatPushSummary(summary: PushSummary, dataset: string, model: string): string {
  return formatFields([
    ['dataset', `${dataset} (${summary.total} items)`],
    ['model', model],
    ['learned', `${summary.learned} items + ${summary.labels} delayed labels${summary.duplicates ? ` (${summary.duplicates} duplicates, not learned twice)` : ''}`],
    ['queries', `${summary.predictions} predicted${summary.queryAccuracy === null ? '' : `, ${percent(summary.queryAccuracy)} right (${summary.queries.correct}/${summary.queries.labelled})`}`],
    ['prequential accuracy', summary.prequentialAccuracy === null ? '–' : `${percent(summary.prequentialAccuracy)} over ${summary.prequential.samples} learned samples`],
    ['wall time', `${(summary.wallMs / 1000).toFixed(1)} s (${summary.rate.toFixed(0)} items/s)`],
  ]);
}
