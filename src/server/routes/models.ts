import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import type { RouteContext } from './context.js';
import { describeRoute, errorResponses, ModelName, ModelParams, ModelStatusSchema } from './schemas.js';

const CreateModelBody = Type.Object(
  {
    name: ModelName,
    config: Type.Optional(Type.Unknown({ description: 'model config (see the ModelConfig schema); defaults fill what is left out' })),
  },
  { additionalProperties: false },
);

/** `GET|POST /v1/models`, `GET|DELETE /v1/models/:model`. */
export function modelRoutes(app: FastifyInstance, { engine }: RouteContext): void {
  app.get('/v1/models', {
    config: { access: 'read' },
    schema: { ...describeRoute('models', 'List models', 'read'), response: { 200: Type.Array(ModelStatusSchema), ...errorResponses(401, 403) } },
    handler: async () => engine.models(),
  });

  app.post<{ Body: { name: string; config?: unknown } }>('/v1/models', {
    config: { access: 'admin' },
    schema: {
      ...describeRoute('models', 'Create a model from a config', 'admin'),
      body: CreateModelBody,
      response: { 201: ModelStatusSchema, ...errorResponses(400, 401, 403, 409) },
    },
    handler: async (request, reply) => {
      const status = await engine.createModel(request.body.name, request.body.config ?? {});
      return reply.code(201).send(status);
    },
  });

  app.get<{ Params: { model: string } }>('/v1/models/:model', {
    config: { access: 'read' },
    schema: {
      ...describeRoute('models', 'A model: config, learned-sample counter, step, latest checkpoint', 'read'),
      params: ModelParams,
      response: { 200: ModelStatusSchema, ...errorResponses(401, 403, 404) },
    },
    handler: async (request) => engine.model(request.params.model).status(),
  });

  app.delete<{ Params: { model: string } }>('/v1/models/:model', {
    config: { access: 'admin' },
    schema: {
      ...describeRoute('models', 'Delete a model with its recording, checkpoints and metrics', 'admin'),
      params: ModelParams,
      response: { 204: Type.Null(), ...errorResponses(401, 403, 404) },
    },
    handler: async (request, reply) => {
      await engine.deleteModel(request.params.model);
      return reply.code(204).send();
    },
  });
}
