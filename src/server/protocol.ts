import { Type, type Static } from '@sinclair/typebox';
import type { LiveModel } from '../stream/engine.js';
import { StreamError } from '../stream/errors.js';
import type { Ack, LabelItem, LearnItem, PredictItem, Prediction } from '../stream/types.js';
import { decodeClientId, decodeInput, decodeLabel } from '../stream/validate.js';
import type { ErrorReply } from './errors.js';
import { CODE_KEYWORD } from './schema-check.js';

/**
 * The items and replies of wire protocol v1, shared by the WebSocket stream and the HTTP
 * item routes: their JSON schemas (validation and OpenAPI), the model-dependent checks that a
 * schema cannot express (input length, label range), and the reply objects.
 */

/** The client's id of an item, echoed in its reply; makes learn resends idempotent. */
export const ItemIdSchema = Type.String({ minLength: 1, maxLength: 128, description: "client's item id, echoed in the reply" });

/** One input as JSON: `prod(inputShape)` finite numbers, row-major (NHWC for images). */
export const InputSchema = Type.Array(Type.Number(), { description: 'prod(inputShape) finite numbers, row-major (NHWC)' });

/** A class index; a failure here is `bad_label`. */
export const LabelSchema = Type.Integer({ minimum: 0, [CODE_KEYWORD]: 'bad_label', description: 'class index in [0, classes)' });

export const LearnItemSchema = Type.Object({ id: Type.Optional(ItemIdSchema), x: InputSchema, y: LabelSchema });
export const PredictItemSchema = Type.Object({ id: Type.Optional(ItemIdSchema), x: InputSchema });
export const LabelItemSchema = Type.Object({
  id: Type.Optional(ItemIdSchema),
  predictionId: Type.String({ minLength: 1, maxLength: 128, description: 'the predictionId of an earlier prediction' }),
  y: LabelSchema,
});

/** The item ops and the schema of their items. */
export const ITEM_SCHEMAS = { learn: LearnItemSchema, predict: PredictItemSchema, label: LabelItemSchema } as const;
export type ItemOp = keyof typeof ITEM_SCHEMAS;

/** An item after its schema check; binary frames carry `x` as a Float32Array already. */
export type RawItem =
  | (Omit<Static<typeof LearnItemSchema>, 'x'> & { x: number[] | Float32Array })
  | (Static<typeof PredictItemSchema> & { x: number[] | Float32Array })
  | Static<typeof LabelItemSchema>;

/** Items of one op to run against a model; `batch` when the client sent an array (errors then carry the item's index). */
export interface ItemRequest {
  op: ItemOp;
  items: RawItem[];
  batch: boolean;
}

export const AckReplySchema = Type.Object({
  op: Type.Literal('ack'),
  id: Type.Optional(ItemIdSchema),
  seq: Type.Integer({ minimum: 1, description: "position of the item in the model's recording" }),
  duplicate: Type.Optional(Type.Literal(true, { description: 'present when this id was accepted before (not learned twice)' })),
});
export type AckReply = Static<typeof AckReplySchema>;

export const PredictionReplySchema = Type.Object({
  op: Type.Literal('prediction'),
  id: Type.Optional(ItemIdSchema),
  predictionId: Type.String({ description: 'id for a later label message' }),
  label: Type.Integer({ description: 'predicted class' }),
  probs: Type.Array(Type.Number(), { description: 'softmax probabilities, one per class' }),
  step: Type.Integer({ description: 'model updates the weights used reflect' }),
});
export type PredictionReply = Static<typeof PredictionReplySchema>;

export const ErrorReplySchema = Type.Object({
  op: Type.Literal('error'),
  id: Type.Optional(Type.String({ description: "the client's id of the message or offending item" })),
  code: Type.String({ description: 'protocol error code (see docs/protocol.md)' }),
  message: Type.String(),
  index: Type.Optional(Type.Integer({ description: 'offending item of a batch' })),
});

/** A reply to one item (an error only for the failed labels of a batch). */
export type ItemReply = AckReply | PredictionReply | ErrorReply;

/**
 * Checks a labelled item against the model (input length and finiteness, label range).
 * @param index the item's position in a batch (prefixes paths in messages, e.g. `[3].x[5]`).
 * @throws StreamError `bad_shape` | `not_finite` | `bad_label` | `missing_field`.
 */
export function toLearnItem(raw: RawItem, model: LiveModel, index?: number): LearnItem {
  const at = where(index);
  const item = raw as { id?: string; x?: unknown; y?: unknown };
  return {
    clientId: decodeClientId(item.id, `${at}id`, index),
    x: decodeInput(item.x, model.features, `${at}x`, index),
    y: decodeLabel(item.y, model.config.classes, `${at}y`, index),
  };
}

/** Checks an unlabelled item against the model. @throws StreamError like {@link toLearnItem}. */
export function toPredictItem(raw: RawItem, model: LiveModel, index?: number): PredictItem {
  const at = where(index);
  const item = raw as { id?: string; x?: unknown };
  return { clientId: decodeClientId(item.id, `${at}id`, index), x: decodeInput(item.x, model.features, `${at}x`, index) };
}

/** Checks a delayed label against the model. @throws StreamError `bad_label` | `missing_field` | `bad_shape`. */
export function toLabelItem(raw: RawItem, model: LiveModel, index?: number): LabelItem {
  const at = where(index);
  const item = raw as { id?: string; predictionId?: unknown; y?: unknown };
  const predictionId = decodeClientId(item.predictionId, `${at}predictionId`, index);
  if (predictionId === undefined) throw missingPredictionId(at, index);
  return { clientId: decodeClientId(item.id, `${at}id`, index), predictionId, y: decodeLabel(item.y, model.config.classes, `${at}y`, index) };
}

/** The `ack` reply of an accepted item. */
export function ackReply(ack: Ack): AckReply {
  return {
    op: 'ack',
    ...(ack.clientId !== undefined && { id: ack.clientId }),
    seq: ack.seq,
    ...(ack.duplicate && { duplicate: true as const }),
  };
}

/** The `prediction` reply of a predicted item. */
export function predictionReply(prediction: Prediction): PredictionReply {
  return {
    op: 'prediction',
    ...(prediction.clientId !== undefined && { id: prediction.clientId }),
    predictionId: prediction.predictionId,
    label: prediction.label,
    probs: prediction.probs,
    step: prediction.step,
  };
}

function where(index: number | undefined): string {
  return index === undefined ? '' : `[${index}].`;
}

function missingPredictionId(at: string, index: number | undefined): StreamError {
  return new StreamError('missing_field', `${at}predictionId is missing; expected the predictionId of an earlier prediction`, index);
}
