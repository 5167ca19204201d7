import type { LayerWindow, MetricRow, MetricsEvent } from '../ts/index.js';
import { byId, fillTable, pct } from './dom.js';
import { LiveChart } from './live-chart.js';

/** One metrics window as the charts need it (stored rows have no rates; live events do). */
interface Window {
  time: number;
  layers: readonly LayerWindow[];
  event?: MetricsEvent;
}

/**
 * The live metrics part of the page: per-layer loss and accuracy, the prequential accuracy of
 * the output (per window and cumulative), learn and predict rates, prediction latency, the
 * latest window's layers, and the stat tiles. Fed first with the stored windows, then with live events.
 */
export class MetricsView {
  private readonly loss = new LiveChart(byId('chart-loss'), { unit: '', min: 0 });
  private readonly accuracy = new LiveChart(byId('chart-accuracy'), { unit: '', min: 0, max: 1, percent: true });
  private readonly prequential = new LiveChart(byId('chart-prequential'), { unit: '', min: 0, max: 1, percent: true });
  private readonly rates = new LiveChart(byId('chart-rates'), { unit: '/s', min: 0 });
  private readonly latency = new LiveChart(byId('chart-latency'), { unit: 'ms', min: 0 });
  private cumulative = { correct: 0, samples: 0 };
  private lastTime: number | null = null;

  /** Plots stored windows (rows of `GET /v1/models/:model/metrics`, any order). */
  history(rows: readonly MetricRow[]): void {
    const windows = new Map<number, { time: number; layers: LayerWindow[] }>();
    for (const row of rows) {
      const window = windows.get(row.window) ?? { time: row.time, layers: [] };
      window.layers.push({ layer: row.layer, loss: row.loss, accuracy: row.accuracy, samples: row.samples });
      windows.set(row.window, window);
    }
    for (const [, window] of [...windows].sort(([a], [b]) => a - b)) this.add(window);
  }

  /** Plots a live window and updates the tiles. */
  live(event: MetricsEvent): void {
    this.add({ time: event.time, layers: event.layers, event });
    byId('stat-samples').textContent = String(event.samples);
    byId('stat-step').textContent = String(event.step);
  }

  private add(window: Window): void {
    const rows = window.layers.map((l) => [l.layer, l.loss.toFixed(4), pct(l.accuracy), String(l.samples)]);
    fillTable(byId('layers-body'), rows, 'no window yet');
    this.loss.add(window.time, Object.fromEntries(window.layers.map((l) => [l.layer, l.loss])));
    this.accuracy.add(window.time, Object.fromEntries(window.layers.map((l) => [l.layer, l.accuracy])));
    const output = window.layers.find((l) => l.layer === 'output');
    if (output && output.samples > 0) {
      this.cumulative.correct += output.accuracy * output.samples;
      this.cumulative.samples += output.samples;
      const total = this.cumulative.correct / this.cumulative.samples;
      this.prequential.add(window.time, { window: output.accuracy, cumulative: total });
      byId('stat-prequential').textContent = `${pct(output.accuracy)} / ${pct(total)}`;
    }
    if (window.event) this.addRates(window.event);
    this.lastTime = window.time;
  }

  private addRates(event: MetricsEvent): void {
    const seconds = this.lastTime === null ? null : Math.max((event.time - this.lastTime) / 1000, 1e-3);
    const predictRate = seconds === null ? null : event.predictions / seconds;
    this.rates.add(event.time, { learn: event.throughput, predict: predictRate });
    const latency = event.predictLatencyMs;
    this.latency.add(event.time, { p50: latency?.p50 ?? null, p99: latency?.p99 ?? null });
    byId('stat-learn-rate').textContent = `${event.throughput.toFixed(0)}/s`;
    byId('stat-predict-rate').textContent = predictRate === null ? '–' : `${predictRate.toFixed(0)}/s`;
    byId('stat-latency').textContent = latency ? `${latency.p50.toFixed(2)} / ${latency.p99.toFixed(2)} ms` : '–';
  }
}
