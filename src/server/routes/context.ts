import type { Engine } from '../../stream/engine.js';
import type { ServerMetrics } from '../metrics-prometheus.js';

/** What the route modules need. */
export interface RouteContext {
  engine: Engine;
  metrics: ServerMetrics;
}
