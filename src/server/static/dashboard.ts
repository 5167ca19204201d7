import type { FastifyInstance, FastifyReply } from 'fastify';
import { buildDashboard, dashboardDir, indexPage, type StaticFile } from './bundle.js';

/**
 * The dashboard: `GET /` (the page, public), `GET /dashboard/:file` (its script, the SDK as an ES
 * module and the stylesheet, bundled with esbuild on first request and kept in memory; public).
 * The data the page shows comes from the API (`/v1/...`) with the page's token.
 */
export function dashboardRoutes(app: FastifyInstance): void {
  const dir = dashboardDir();
  let bundle: Promise<Map<string, StaticFile>> | null = null;

  app.get('/', { config: { access: 'public' }, schema: { hide: true } }, async (_request, reply) => send(reply, indexPage(dir)));

  app.get<{ Params: { file: string } }>('/dashboard/:file', { config: { access: 'public' }, schema: { hide: true } }, async (request, reply) => {
    bundle ??= buildDashboard(dir).catch((error: unknown) => {
      bundle = null;
      throw error;
    });
    const file = (await bundle).get(request.params.file);
    if (!file) return reply.code(404).send({ op: 'error', code: 'not_found', message: `no dashboard file ${request.params.file}` });
    return send(reply, file);
  });
}

function send(reply: FastifyReply, file: StaticFile) {
  return reply.type(file.type).header('cache-control', 'no-cache').send(Buffer.from(file.body));
}
