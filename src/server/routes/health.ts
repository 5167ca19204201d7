import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import { PACKAGE_VERSION, PROTOCOL_VERSION } from '../version.js';
import type { RouteContext } from './context.js';
import { describeRoute, errorResponses } from './schemas.js';

/** `GET /healthz` (public liveness) and `GET /v1/info` (read: version, backend, models). */
export function healthRoutes(app: FastifyInstance, { engine }: RouteContext): void {
  app.get('/healthz', {
    config: { access: 'public' },
    schema: { ...describeRoute('server', 'Liveness', 'public'), response: { 200: Type.Object({ status: Type.Literal('ok') }) } },
    handler: async () => ({ status: 'ok' as const }),
  });

  app.get('/v1/info', {
    config: { access: 'read' },
    schema: {
      ...describeRoute('server', 'Server version, protocol, active tfjs backend and model names', 'read'),
      response: {
        200: Type.Object({
          name: Type.String(),
          version: Type.String(),
          protocol: Type.Integer(),
          backend: Type.String({ description: 'active tfjs backend' }),
          models: Type.Array(Type.String()),
        }),
        ...errorResponses(401, 403),
      },
    },
    handler: async () => ({
      name: 'sigprop-stream',
      version: PACKAGE_VERSION,
      protocol: PROTOCOL_VERSION,
      backend: engine.backend,
      models: engine.models().map((model) => model.name),
    }),
  });
}
