import { join } from 'node:path';
import { Type } from '@sinclair/typebox';
import type { FastifyInstance, FastifyReply } from 'fastify';
import { StreamError } from '../../stream/errors.js';
import { openStore, StoreError, type Evaluation, type Store } from '../../store/index.js';
import { ModelName } from '../routes/schemas.js';
import { buildDashboard, dashboardDir, indexPage, type StaticFile } from './bundle.js';

/** What the dashboard routes need. */
export interface DashboardOptions {
  /** The server's data directory (the dashboard lists evaluations from its store). */
  dataDir: string;
}

/** Evaluations listed per request, newest first. */
const RECENT_EVALUATIONS = 20;

/**
 * The dashboard: `GET /` (the page, public), `GET /dashboard/:file` (its script, the SDK as an ES
 * module and the stylesheet, bundled with esbuild on first request and kept in memory; public)
 * and `GET /dashboard/api/evaluations?model=` (a model's recent evaluations, admin). The data the
 * page shows comes from the API with the page's token.
 */
export function dashboardRoutes(app: FastifyInstance, options: DashboardOptions): void {
  const dir = dashboardDir();
  let bundle: Promise<Map<string, StaticFile>> | null = null;
  let store: Store | null = null;
  app.addHook('onClose', async () => store?.close());

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

  app.get<{ Querystring: { model: string } }>('/dashboard/api/evaluations', {
    config: { access: 'admin' },
    schema: { hide: true, querystring: Type.Object({ model: ModelName }) },
    handler: async (request) => {
      // A second, read-only use of the store file (WAL: never blocks the engine's writes); the
      // engine offers single evaluations by id but no list.
      store ??= openStore(join(options.dataDir, 'sigprop.db'));
      try {
        return store.evaluations.list(request.query.model).reverse().slice(0, RECENT_EVALUATIONS).map(summary);
      } catch (error) {
        if (error instanceof StoreError && error.code === 'unknown_model') throw new StreamError('unknown_model', `no model named '${request.query.model}'`);
        throw error;
      }
    },
  });
}

function send(reply: FastifyReply, file: StaticFile) {
  return reply.type(file.type).header('cache-control', 'no-cache').send(Buffer.from(file.body));
}

/** A stored evaluation as the API shows one (`pending` is reported as `running`). */
function summary(e: Evaluation) {
  return {
    id: e.id,
    model: e.model,
    status: e.status === 'pending' ? 'running' : e.status,
    progress: e.progress,
    report: e.report,
    error: e.error,
    recordingId: e.recordingId,
    from: e.from,
    createdAt: e.createdAt,
    updatedAt: e.updatedAt,
  };
}
