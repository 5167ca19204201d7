import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import type { RouteContext } from './context.js';
import { describeRoute, errorResponses } from './schemas.js';

/** `GET /metrics`: Prometheus exposition (read role). */
export function prometheusRoutes(app: FastifyInstance, { metrics }: RouteContext): void {
  app.get('/metrics', {
    config: { access: 'read' },
    schema: {
      ...describeRoute('server', 'Prometheus metrics', 'read'),
      response: { 200: Type.String({ description: 'text exposition format' }), ...errorResponses(401, 403) },
    },
    handler: async (_request, reply) => {
      const { contentType, body } = await metrics.render();
      return reply.type(contentType).send(body);
    },
  });
}
