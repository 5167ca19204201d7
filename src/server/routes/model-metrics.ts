import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import type { RouteContext } from './context.js';
import { describeRoute, errorResponses, MetricRowSchema, ModelParams } from './schemas.js';

const MetricsQuery = Type.Object(
  {
    layer: Type.Optional(Type.String({ minLength: 1, description: 'only this layer (signal, hidden1, …, output)' })),
    since: Type.Optional(Type.Integer({ minimum: 0, maximum: Number.MAX_SAFE_INTEGER, description: 'only windows ending after this time, ms since epoch' })),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 100_000, description: 'at most this many rows' })),
  },
  { additionalProperties: false },
);

/** `GET /v1/models/:model/metrics?layer=&since=&limit=`: stored per-window, per-layer metrics. */
export function modelMetricsRoutes(app: FastifyInstance, { engine }: RouteContext): void {
  app.get<{ Params: { model: string }; Querystring: { layer?: string; since?: number; limit?: number } }>('/v1/models/:model/metrics', {
    config: { access: 'read' },
    schema: {
      ...describeRoute('metrics', 'Per-window, per-layer loss and accuracy', 'read'),
      params: ModelParams,
      querystring: MetricsQuery,
      response: { 200: Type.Array(MetricRowSchema), ...errorResponses(400, 401, 403, 404) },
    },
    handler: async (request) => engine.model(request.params.model).metrics(request.query),
  });
}
