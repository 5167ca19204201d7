import type { TSchema } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';
import Fastify, { LogController, type FastifyError, type FastifyInstance, type FastifyRequest, type FastifySchemaCompiler } from 'fastify';
import type { Engine } from '../stream/engine.js';
import { Authenticator, installAuth } from './auth.js';
import type { ServerConfig } from './config.js';
import { errorReply, httpStatus, isClientError, ProtocolError } from './errors.js';
import { ServerMetrics } from './metrics-prometheus.js';
import { registerOpenApi } from './openapi.js';
import { checkpointRoutes } from './routes/checkpoints.js';
import type { RouteContext } from './routes/context.js';
import { evaluationRoutes } from './routes/evaluations.js';
import { healthRoutes } from './routes/health.js';
import { itemRoutes } from './routes/items.js';
import { modelMetricsRoutes } from './routes/model-metrics.js';
import { modelRoutes } from './routes/models.js';
import { prometheusRoutes } from './routes/prometheus.js';
import { compileChecker } from './schema-check.js';
import { dashboardRoutes } from './static/dashboard.js';
import { StreamHub } from './ws/hub.js';

declare module 'fastify' {
  interface FastifyInstance {
    /** The WebSocket stream connections (closed gracefully by `close()`). */
    streams: StreamHub;
  }
}

const ROUTES = [healthRoutes, modelRoutes, itemRoutes, modelMetricsRoutes, checkpointRoutes, evaluationRoutes, prometheusRoutes];

/**
 * Builds the HTTP + WebSocket server over an open engine (not listening yet). Every request and
 * message is checked against its JSON schema with protocol error codes; errors are answered as
 * `{"op":"error","code","message","id"?,"index"?}` with the status of their code. `close()`
 * refuses new requests (`closed`, 503), drains and closes the stream connections, then waits for
 * the HTTP requests in flight; it does not close the engine.
 */
export async function buildServer(engine: Engine, config: ServerConfig): Promise<FastifyInstance> {
  const app = Fastify({
    logger: config.logLevel === 'silent' ? false : { level: config.logLevel },
    bodyLimit: config.maxMessageBytes,
    // Item routes run at stream rates: one log line per request would drown the log.
    logController: new LogController({ disableRequestLogging: true }),
    // Requests during a shutdown are refused below, in the protocol's error format.
    return503OnClosing: false,
  });
  let closing = false;
  const metrics = new ServerMetrics(engine);
  const auth = new Authenticator(config.tokens);
  app.setValidatorCompiler(routeValidator);
  // Bodies are JSON: without this, fastify would hand a text/plain body on as a string.
  app.removeContentTypeParser('text/plain');
  // Response schemas document the API; they must never strip or coerce what is sent.
  app.setSerializerCompiler(() => (data) => JSON.stringify(data));
  app.setErrorHandler((error: FastifyError, request, reply) => {
    const body = errorReply(fromFastify(error, config.maxMessageBytes), clientIdOf(request, error));
    if (body.code === 'internal') request.log.error({ err: error }, 'request failed');
    metrics.countError(body.code, 'http');
    return reply.code(httpStatus(body.code)).send(body);
  });
  app.setNotFoundHandler((request, reply) => {
    metrics.countError('not_found', 'http');
    return reply.code(404).send(errorReply(new ProtocolError('not_found', `no route ${request.method} ${request.url.split('?')[0]}`)));
  });
  app.addHook('onRequest', async () => {
    if (closing) throw new ProtocolError('closed', 'the server is shutting down');
  });
  installAuth(app, auth);
  await registerOpenApi(app);
  const context: RouteContext = { engine, metrics };
  for (const routes of ROUTES) routes(app, context);
  dashboardRoutes(app);

  const hub = new StreamHub({ engine, auth, metrics, maxMessageBytes: config.maxMessageBytes, log: app.log });
  hub.attach(app.server);
  app.decorate('streams', hub);
  app.addHook('preClose', async () => {
    closing = true;
    await hub.shutdown();
  });
  return app;
}

/**
 * Validates one part of a request with its TypeBox schema. Path and query parameters arrive as
 * strings and are converted first; bodies are checked as sent (no coercion: `"3"` is not a label).
 */
const routeValidator: FastifySchemaCompiler<TSchema> = ({ schema, httpPart }) => {
  const where = httpPart === 'querystring' ? 'query' : (httpPart ?? 'request');
  const check = compileChecker(schema, where);
  const convert = httpPart !== 'body';
  return (data: unknown) => {
    try {
      return { value: check(convert ? convertStrings(schema, data) : data) };
    } catch (error) {
      return { error: error as Error };
    }
  };
};

/**
 * Path and query strings as their schema's types (TypeBox `Value.Convert`), keeping only the
 * conversions that print back to the same text: `"1.5"`, `"1e2"`, `"0x10"` or `" 3"` stay
 * strings and fail an integer check, instead of becoming 1, 1, 16 or 3.
 */
function convertStrings(schema: TSchema, data: unknown): unknown {
  // Convert may change the object it is given: keep the raw strings apart.
  const converted = Value.Convert(schema, isRecord(data) ? { ...data } : data);
  if (!isRecord(data) || !isRecord(converted)) return converted;
  const strict: Record<string, unknown> = { ...converted };
  for (const [key, raw] of Object.entries(data)) {
    if (typeof raw === 'string' && String(strict[key]) !== raw) strict[key] = raw;
  }
  return strict;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Fastify's own errors (body parsing and limits) as protocol errors. */
function fromFastify(error: FastifyError, limit: number): unknown {
  if (isClientError(error)) return error;
  switch (error.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return new ProtocolError('too_large', `the body exceeds the limit of ${limit} bytes`);
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
      return new ProtocolError('bad_json', 'the body is not valid JSON');
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return new ProtocolError('bad_json', 'the body is empty; expected JSON');
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return new ProtocolError('bad_json', 'unsupported Content-Type; send application/json');
  }
  if (error.statusCode !== undefined && error.statusCode < 500) return new ProtocolError('bad_shape', error.message);
  return error;
}

/** The client's id of the item an error is about (the offending one of an array body). */
function clientIdOf(request: FastifyRequest, error: unknown): string | undefined {
  const body = request.body as unknown;
  const index = isClientError(error) ? error.index : undefined;
  const item = Array.isArray(body) ? (index === undefined ? undefined : body[index]) : body;
  const id = typeof item === 'object' && item !== null ? (item as { id?: unknown }).id : undefined;
  return typeof id === 'string' ? id : undefined;
}
