import { Type, type Static } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import type { RouteContext } from './context.js';
import { describeRoute, errorResponses, EvaluationStatusSchema, ModelName, RecordingSchema } from './schemas.js';

const EvaluationBody = Type.Object(
  {
    model: ModelName,
    recording: Type.Optional(Type.Integer({ minimum: 1, maximum: Number.MAX_SAFE_INTEGER, description: "recording id (default: the model's live recording)" })),
    from: Type.Optional(
      Type.Union([Type.Literal('fresh'), Type.Integer({ minimum: 1, maximum: Number.MAX_SAFE_INTEGER })], { description: "'fresh' (default) or a checkpoint id" }),
    ),
    speed: Type.Optional(Type.Union([Type.Literal('max'), Type.Literal('recorded')], { description: "'max' (default) or 'recorded'" })),
    config: Type.Optional(Type.Unknown({ description: "config of the fresh model (default: the live model's)" })),
    every: Type.Optional(Type.Integer({ minimum: 1, maximum: Number.MAX_SAFE_INTEGER, description: 'a prequential curve point every N items (default 100)' })),
  },
  { additionalProperties: false },
);

/** `GET /v1/recordings`, `GET|POST /v1/evaluations`, `GET /v1/evaluations/:id` (admin). */
export function evaluationRoutes(app: FastifyInstance, { engine }: RouteContext): void {
  app.get('/v1/recordings', {
    config: { access: 'admin' },
    schema: { ...describeRoute('evaluations', 'List recordings', 'admin'), response: { 200: Type.Array(RecordingSchema), ...errorResponses(401, 403) } },
    handler: async () => engine.recordings(),
  });

  app.post<{ Body: Static<typeof EvaluationBody> }>('/v1/evaluations', {
    config: { access: 'admin' },
    schema: {
      ...describeRoute('evaluations', 'Replay a recording into a separate model; returns at once (status running)', 'admin'),
      body: EvaluationBody,
      response: { 202: EvaluationStatusSchema, ...errorResponses(400, 401, 403, 404) },
    },
    handler: async (request, reply) => {
      const { from = 'fresh', speed = 'max', ...rest } = request.body;
      return reply.code(202).send(await engine.evaluate({ ...rest, from, speed }));
    },
  });

  app.get<{ Querystring: { model?: string } }>('/v1/evaluations', {
    config: { access: 'admin' },
    schema: {
      ...describeRoute('evaluations', 'Evaluations, newest first (of one model with ?model=)', 'admin'),
      querystring: Type.Object({ model: Type.Optional(ModelName) }, { additionalProperties: false }),
      response: { 200: Type.Array(EvaluationStatusSchema), ...errorResponses(400, 401, 403, 404) },
    },
    handler: async (request) => engine.evaluationList(request.query.model),
  });

  app.get<{ Params: { id: number } }>('/v1/evaluations/:id', {
    config: { access: 'admin' },
    schema: {
      ...describeRoute('evaluations', 'An evaluation: status, progress, report', 'admin'),
      params: Type.Object({ id: Type.Integer({ minimum: 1, maximum: Number.MAX_SAFE_INTEGER }) }),
      response: { 200: EvaluationStatusSchema, ...errorResponses(400, 401, 403, 404) },
    },
    handler: async (request) => engine.evaluation(request.params.id),
  });
}
