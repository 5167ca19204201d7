import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { FastifyInstance } from 'fastify';
import { PACKAGE_VERSION } from './version.js';

/** Where the OpenAPI UI is served; the document itself is at `${DOCS_PREFIX}/json` (and `/yaml`). */
export const DOCS_PREFIX = '/docs';

/**
 * Registers the OpenAPI 3 document (generated from the route schemas) and its UI at `/docs`
 * (public: it documents the API, it reveals no data). Must run before the routes are added.
 */
export async function registerOpenApi(app: FastifyInstance): Promise<void> {
  // Before the UI plugin adds its routes, so that they are marked public.
  app.addHook('onRoute', (route) => {
    if (route.url.startsWith(DOCS_PREFIX)) route.config = { ...route.config, access: 'public' };
  });
  await app.register(swagger, {
    openapi: {
      openapi: '3.0.3',
      info: {
        title: 'sigprop-stream',
        version: PACKAGE_VERSION,
        description:
          'Streaming online learning with signal propagation. The WebSocket stream `GET /v1/models/{model}/stream` ' +
          '(ops learn, predict, label, subscribe; JSON and binary frames) is described in docs/protocol.md.',
      },
      components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } } },
    },
  });
  await app.register(swaggerUi, { routePrefix: DOCS_PREFIX, staticCSP: true });
}
