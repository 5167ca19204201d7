import uPlot from 'uplot';

/** Colours of the series, in the order they first appear. */
const PALETTE = ['#2563eb', '#16a34a', '#ea580c', '#9333ea', '#0891b2', '#dc2626', '#ca8a04', '#475569'];

/**
 * A uPlot line chart fed point by point: x is the time in ms, each point names its series'
 * values. A series seen for the first time rebuilds the chart (uPlot fixes its series at
 * creation). Keeps the latest `maxPoints` points; redraws at most once per animation frame.
 * The figure's `data-points` attribute holds the number of points (the browser test reads it).
 */
export class LiveChart {
  private plot: uPlot | null = null;
  private readonly xs: number[] = [];
  private readonly series = new Map<string, Array<number | null>>();
  private drawPending = false;

  constructor(
    private readonly figure: HTMLElement,
    private readonly options: { unit: string; maxPoints?: number; min?: number; max?: number; percent?: boolean },
  ) {
    figure.dataset.points = '0';
    new ResizeObserver(() => this.plot?.setSize(this.size())).observe(figure);
  }

  /** Adds a point at `timeMs`; null or missing values leave a gap in their series. */
  add(timeMs: number, values: Record<string, number | null>): void {
    let rebuild = false;
    for (const name of Object.keys(values)) {
      if (this.series.has(name)) continue;
      this.series.set(name, this.xs.map(() => null));
      rebuild = true;
    }
    this.xs.push(timeMs / 1000);
    for (const [name, ys] of this.series) ys.push(values[name] ?? null);
    this.trim();
    if (rebuild) this.destroy();
    this.scheduleDraw();
  }

  private trim(): void {
    const extra = this.xs.length - (this.options.maxPoints ?? 600);
    if (extra <= 0) return;
    this.xs.splice(0, extra);
    for (const ys of this.series.values()) ys.splice(0, extra);
  }

  private scheduleDraw(): void {
    if (this.drawPending) return;
    this.drawPending = true;
    requestAnimationFrame(() => {
      this.drawPending = false;
      this.draw();
    });
  }

  private draw(): void {
    const data: uPlot.AlignedData = [this.xs, ...this.series.values()];
    if (this.plot) this.plot.setData(data);
    else this.plot = new uPlot(this.config(), data, this.figure.querySelector('.plot') as HTMLElement);
    this.figure.dataset.points = String(this.xs.length);
  }

  private config(): uPlot.Options {
    const { unit, min, max, percent } = this.options;
    const format = (v: number) => (percent ? `${(v * 100).toFixed(1)}%` : `${Number(v.toPrecision(4))}${unit ? ` ${unit}` : ''}`);
    return {
      ...this.size(),
      scales: { x: { time: true }, y: min === undefined ? {} : { range: [min, max ?? null] as uPlot.Range.MinMax } },
      axes: [{}, { values: (_u, ticks) => ticks.map(format), size: 64 }],
      series: [{}, ...[...this.series.keys()].map((label, i) => ({ label, stroke: PALETTE[i % PALETTE.length], width: 2, spanGaps: true, value: (_u: uPlot, v: number | null) => (v === null ? '–' : format(v)) }))],
      legend: { live: true },
    };
  }

  private size(): { width: number; height: number } {
    return { width: Math.max(240, this.figure.clientWidth - 16), height: 200 };
  }

  private destroy(): void {
    this.plot?.destroy();
    this.plot = null;
  }
}
