import { Type, type TSchema } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import type { Access } from '../auth.js';
import { runItems } from '../operations.js';
import { AckReplySchema, ErrorReplySchema, ITEM_SCHEMAS, PredictionReplySchema, type ItemOp, type RawItem } from '../protocol.js';
import type { RouteContext } from './context.js';
import { describeRoute, errorResponses, ModelParams } from './schemas.js';

const ROUTES: Record<ItemOp, { access: Access; summary: string; reply: TSchema }> = {
  learn: { access: 'write', summary: 'Learn labelled items (acked once durably recorded)', reply: AckReplySchema },
  predict: { access: 'read', summary: 'Predict unlabelled items', reply: PredictionReplySchema },
  label: {
    access: 'write',
    summary: 'Label earlier predictions (delayed labels); in an array, each item gets an ack or its own error',
    reply: Type.Union([AckReplySchema, ErrorReplySchema]),
  },
};

/**
 * `POST /v1/models/:model/{learn,predict,label}`: one item (→ one reply object) or an array of
 * items (→ an array of replies, in order). The same items and replies as the stream; a learn or
 * predict batch with one bad item is refused whole (the error carries its `index` and `id`).
 */
export function itemRoutes(app: FastifyInstance, { engine, metrics }: RouteContext): void {
  for (const [op, route] of Object.entries(ROUTES) as Array<[ItemOp, (typeof ROUTES)[ItemOp]]>) {
    const item = ITEM_SCHEMAS[op];
    app.post<{ Params: { model: string }; Body: RawItem | RawItem[] }>(`/v1/models/:model/${op}`, {
      config: { access: route.access },
      schema: {
        ...describeRoute('items', route.summary, route.access),
        params: ModelParams,
        body: Type.Union([item, Type.Array(item, { minItems: 1 })]),
        response: { 200: Type.Union([route.reply, Type.Array(route.reply)]), ...errorResponses(400, 401, 403, 404, 413, 429) },
      },
      handler: async (request) => {
        const batch = Array.isArray(request.body);
        const items = batch ? (request.body as RawItem[]) : [request.body as RawItem];
        const replies = await runItems(engine.model(request.params.model), { op, items, batch }, metrics, 'http');
        return batch ? replies : replies[0];
      },
    });
  }
}
