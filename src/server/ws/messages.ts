import { Type, type Static } from '@sinclair/typebox';
import { ProtocolError } from '../errors.js';
import { ITEM_SCHEMAS, ItemIdSchema, type ItemOp, type ItemRequest, type RawItem } from '../protocol.js';
import { compileChecker, type Checker } from '../schema-check.js';
import { decodeFrame } from './binary.js';

/**
 * Client → server messages of the stream (`GET /v1/models/:model/stream`): JSON text frames
 * `{"op":"learn"|"predict"|"label"|"subscribe", ...}` and binary frames (see `binary.ts`), turned
 * into requests; every failure is a {@link ProtocolError} naming the field.
 */

/** Live topics a connection can subscribe to. */
export const TOPICS = ['metrics'] as const;
export type Topic = (typeof TOPICS)[number];

/** `{"op":"subscribe","topics":[...]}` sets the connection's topics (`[]` unsubscribes). */
export const SubscribeMessageSchema = Type.Object({
  op: Type.Literal('subscribe'),
  id: Type.Optional(ItemIdSchema),
  topics: Type.Array(Type.Union(TOPICS.map((topic) => Type.Literal(topic))), { maxItems: TOPICS.length }),
});

/** Learn, predict or label items: one for a JSON message, a batch for a binary frame. */
export type { ItemRequest };

/** A change of the connection's topics. */
export type SubscribeRequest = Static<typeof SubscribeMessageSchema>;

export type StreamRequest = ItemRequest | SubscribeRequest;

const UTF8 = new TextDecoder('utf-8', { fatal: true });
const OPS = [...(Object.keys(ITEM_SCHEMAS) as ItemOp[]), 'subscribe'] as const;
const checkSubscribe = compileChecker(SubscribeMessageSchema, 'message');
const checkItem = Object.fromEntries(
  Object.entries(ITEM_SCHEMAS).map(([op, schema]) => [op, compileChecker(schema, 'message')]),
) as Record<ItemOp, Checker<RawItem>>;

/**
 * Parses a text frame.
 * @throws ProtocolError `bad_json` (invalid UTF-8 or JSON, not an object).
 */
export function parseText(data: Uint8Array): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(UTF8.decode(data));
  } catch (error) {
    throw new ProtocolError('bad_json', `the message is not valid JSON: ${(error as Error).message}`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new ProtocolError('bad_json', 'the message must be a JSON object with an "op"');
  }
  return value as Record<string, unknown>;
}

/** The client's id of a parsed message, if it is a usable one (so that error replies carry it). */
export function peekId(message: Record<string, unknown>): string | undefined {
  const id = message.id;
  return typeof id === 'string' && id.length > 0 && id.length <= 128 ? id : undefined;
}

/**
 * Checks a parsed text message against the schema of its op.
 * @throws ProtocolError `missing_field` (no op or a required field), `unknown_op`, `bad_shape`,
 *   `bad_label`, `not_finite`.
 */
export function toRequest(message: Record<string, unknown>): StreamRequest {
  const op = message.op;
  if (op === undefined) throw new ProtocolError('missing_field', `message.op is missing; expected one of ${OPS.join(', ')}`);
  if (typeof op !== 'string' || !(OPS as readonly string[]).includes(op)) {
    throw new ProtocolError('unknown_op', `message.op is ${JSON.stringify(op)}; expected one of ${OPS.join(', ')}`);
  }
  if (op === 'subscribe') return checkSubscribe(message);
  const itemOp = op as ItemOp;
  return { op: itemOp, items: [checkItem[itemOp](message)], batch: false };
}

/** Decodes a binary frame into an item request. @throws ProtocolError (see `decodeFrame`). */
export function binaryRequest(data: Uint8Array): ItemRequest {
  const frame = decodeFrame(data);
  return { op: frame.op, items: frame.items as RawItem[], batch: true };
}
