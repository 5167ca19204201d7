import type { EvaluationReport, EvaluationStatus } from '../ts/index.js';
import { formatFields, formatTable, percent } from './table.js';

/** Curve points shown in the text report (the JSON has them all). */
const CURVE_POINTS = 10;

/** An evaluation's report as text: totals, per-layer metrics and the prequential curve. */
export function formatEvaluation(status: EvaluationStatus, from: string): string {
  const report = status.report as EvaluationReport;
  const totals = formatFields([
    ['evaluation', `${status.id} of model '${status.model}' (from ${from})`],
    ['items', report.items],
    ['final prequential accuracy', percent(report.finalAccuracy)],
    ['throughput', `${report.throughput.toFixed(0)} items/s`],
    ['wall time', `${(report.wallMs / 1000).toFixed(1)} s`],
  ]);
  const layers = formatTable(
    ['layer', 'loss', 'accuracy', 'samples'],
    report.layers.map((l) => [l.layer, l.loss.toFixed(4), percent(l.accuracy), l.samples]),
  );
  const curve = formatTable(['items', 'prequential accuracy'], thin(report.curve, CURVE_POINTS).map((p) => [p.items, percent(p.accuracy)]));
  return `${totals}\n\nper layer:\n${layers}\n\nprequential curve:\n${curve}`;
}

/** At most `n` evenly spaced points, always with the last. */
function thin<T>(points: readonly T[], n: number): T[] {
  if (points.length <= n) return [...points];
  const step = points.length / n;
  return Array.from({ length: n }, (_, i) => points[Math.min(points.length - 1, Math.round((i + 1) * step) - 1)]);
}
