import { Type, type TSchema } from '@sinclair/typebox';
import { NAME_PATTERN } from '../../store/index.js';
import type { Access } from '../auth.js';
import { ErrorReplySchema } from '../protocol.js';

/**
 * JSON schemas shared by the HTTP routes: path parameters and the resources the engine returns.
 * Request schemas validate (see `app.ts`); response schemas document the API in OpenAPI only
 * (replies are serialized with JSON.stringify, so a schema can never strip a field).
 */

export const ModelName = Type.String({ pattern: NAME_PATTERN.source, description: 'model name' });
export const ModelParams = Type.Object({ model: ModelName });

export const CheckpointInfoSchema = Type.Object({
  id: Type.Integer(),
  step: Type.Integer(),
  samples: Type.Integer(),
  lastSeq: Type.Integer(),
  size: Type.Integer({ description: 'bytes' }),
  reason: Type.String(),
  createdAt: Type.Integer({ description: 'ms since epoch' }),
});

export const ModelStatusSchema = Type.Object({
  name: Type.String(),
  config: Type.Unknown({ description: 'the full model config (defaults applied)' }),
  samples: Type.Integer({ description: 'learned samples (the learned-sample counter)' }),
  step: Type.Integer({ description: 'model updates' }),
  recordingId: Type.Integer(),
  lastSeq: Type.Integer({ description: 'last recorded seq' }),
  queued: Type.Integer({ description: 'labelled items waiting' }),
  pendingPredictions: Type.Integer(),
  latestCheckpoint: Type.Union([CheckpointInfoSchema, Type.Null()]),
  createdAt: Type.Integer(),
});

export const MetricRowSchema = Type.Object({
  window: Type.Integer(),
  time: Type.Integer({ description: 'end of the window, ms since epoch' }),
  layer: Type.String({ description: 'signal, hidden1, …, or output (prequential)' }),
  loss: Type.Number(),
  accuracy: Type.Number(),
  samples: Type.Integer(),
});

export const RecordingSchema = Type.Object({
  id: Type.Integer(),
  model: Type.String(),
  name: Type.String(),
  count: Type.Integer({ description: 'recorded items' }),
  firstTime: Type.Union([Type.Integer(), Type.Null()]),
  lastTime: Type.Union([Type.Integer(), Type.Null()]),
});

export const EvaluationStatusSchema = Type.Object({
  id: Type.Integer(),
  model: Type.String(),
  from: Type.Union([Type.Literal('fresh'), Type.Integer()], { description: "'fresh' or the checkpoint id it started from" }),
  createdAt: Type.Integer({ description: 'ms since epoch' }),
  status: Type.Union([Type.Literal('running'), Type.Literal('done'), Type.Literal('failed')]),
  progress: Type.Number({ description: '0..1' }),
  report: Type.Unknown({ description: 'null until done: items, finalAccuracy, curve, layers, throughput, wallMs' }),
  error: Type.Union([Type.String(), Type.Null()]),
});

/** The error replies a route documents, by HTTP status. */
export function errorResponses(...statuses: number[]): Record<number, TSchema> {
  return Object.fromEntries(statuses.map((status) => [status, ErrorReplySchema]));
}

/** OpenAPI fields of a route: summary, tag, and the bearer role it requires. */
export function describeRoute(tag: string, summary: string, access: Access) {
  return access === 'public'
    ? { tags: [tag], summary }
    : { tags: [tag], summary, description: `Requires a token with the ${access} role (or higher).`, security: [{ bearer: [] }] };
}
