import type { LayerMetrics, Monitor } from './monitor.js';

/** A list of monitors, e.g. one per layer. Reference: `sigprop.monitors.Group`. */
export class Group implements Monitor {
  readonly monitors: Monitor[] = [];

  /** Adds a monitor; returns it. */
  add<M extends Monitor>(monitor: M): M {
    this.monitors.push(monitor);
    return monitor;
  }

  reset(): void {
    for (const m of this.monitors) m.reset();
  }

  metrics(): LayerMetrics[] {
    return this.monitors.flatMap((m) => m.metrics());
  }

  /** One printable line per layer, like the reference's `metrics()`. */
  lines(): string[] {
    return this.metrics().map(
      (m) =>
        `[${m.name}] Acc: ${m.accuracyLast.toFixed(4)} (${m.accuracy.toFixed(4)}, ${Math.round(m.accuracy * m.count)}/${m.count}) \t ` +
        `Loss: ${m.lossLast.toFixed(4)} (${m.loss.toFixed(4)})`,
    );
  }
}
