import type { MetricRow } from '../ts/index.js';
import { formatTable, percent } from './table.js';

/** Per-layer totals of stored metrics windows. */
interface LayerTotals {
  samples: number;
  loss: number;
  correct: number;
  last: MetricRow;
}

/**
 * The per-layer metrics of a model's stored windows as a table: over the whole stream (means
 * weighted by each window's samples) and in the latest window. `output` is the prequential
 * (test-then-train) score of the network's output; the other layers score their own
 * learning signal.
 */
export function formatLayerMetrics(rows: readonly MetricRow[]): string {
  const layers = new Map<string, LayerTotals>();
  for (const row of [...rows].sort((a, b) => a.window - b.window)) {
    const totals = layers.get(row.layer) ?? { samples: 0, loss: 0, correct: 0, last: row };
    totals.samples += row.samples;
    totals.loss += row.loss * row.samples;
    totals.correct += row.accuracy * row.samples;
    totals.last = row;
    layers.set(row.layer, totals);
  }
  return formatTable(
    ['layer', 'samples', 'loss (all)', 'accuracy (all)', 'loss (last window)', 'accuracy (last window)'],
    [...layers].map(([layer, t]) => [
      layer,
      t.samples,
      (t.loss / Math.max(t.samples, 1)).toFixed(4),
      percent(t.correct / Math.max(t.samples, 1)),
      t.last.loss.toFixed(4),
      percent(t.last.accuracy),
    ]),
  );
}
