import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import type { RouteContext } from './context.js';
import { CheckpointInfoSchema, describeRoute, errorResponses, ModelName, ModelParams } from './schemas.js';

const CheckpointParams = Type.Object({ model: ModelName, id: Type.Integer({ minimum: 1, maximum: Number.MAX_SAFE_INTEGER }) });
const CheckpointBody = Type.Object(
  { reason: Type.Optional(Type.String({ minLength: 1, maxLength: 64, description: "default 'manual'" })) },
  { additionalProperties: false },
);

/** `GET|POST /v1/models/:model/checkpoints`, `POST /v1/models/:model/checkpoints/:id/restore` (admin). */
export function checkpointRoutes(app: FastifyInstance, { engine }: RouteContext): void {
  app.get<{ Params: { model: string } }>('/v1/models/:model/checkpoints', {
    config: { access: 'admin' },
    schema: {
      ...describeRoute('checkpoints', 'List checkpoints', 'admin'),
      params: ModelParams,
      response: { 200: Type.Array(CheckpointInfoSchema), ...errorResponses(401, 403, 404) },
    },
    handler: async (request) => engine.model(request.params.model).checkpoints(),
  });

  app.post<{ Params: { model: string }; Body: { reason?: string } | null }>('/v1/models/:model/checkpoints', {
    config: { access: 'admin' },
    schema: {
      ...describeRoute('checkpoints', 'Write a checkpoint now', 'admin'),
      params: ModelParams,
      body: Type.Union([CheckpointBody, Type.Null()], { description: 'optional' }),
      response: { 201: CheckpointInfoSchema, ...errorResponses(400, 401, 403, 404) },
    },
    handler: async (request, reply) => {
      const info = await engine.model(request.params.model).checkpoint(request.body?.reason ?? 'manual');
      return reply.code(201).send(info);
    },
  });

  app.post<{ Params: { model: string; id: number } }>('/v1/models/:model/checkpoints/:id/restore', {
    config: { access: 'admin' },
    schema: {
      ...describeRoute('checkpoints', 'Roll the live model back to a checkpoint', 'admin'),
      params: CheckpointParams,
      response: { 200: CheckpointInfoSchema, ...errorResponses(400, 401, 403, 404) },
    },
    handler: async (request) => engine.model(request.params.model).restore(request.params.id),
  });
}
