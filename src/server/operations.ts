import type { LiveModel } from '../stream/engine.js';
import type { LabelItem } from '../stream/types.js';
import { MAX_ITEMS, limitItems } from '../stream/live-model.js';
import { errorReply, isClientError } from './errors.js';
import type { ServerMetrics, Transport } from './metrics-prometheus.js';
import {
  ackReply,
  predictionReply,
  toLabelItem,
  toLearnItem,
  toPredictItem,
  type ItemReply,
  type ItemRequest,
} from './protocol.js';

/**
 * Runs a batch of schema-checked items of one op against a live model — the single path of both
 * transports, so checks, counting and timing are identical over WebSocket and HTTP. Every item is
 * checked against the model before any reaches it: a batch with one bad item changes nothing.
 * @returns one reply per item, in order (for a batch of labels, failed items get error replies).
 * @throws StreamError from the checks (with the item's `index` when the client sent a batch) or
 *   from the engine (`overloaded`, `unknown_prediction`, `expired_prediction`, `closed`, …).
 */
export async function runItems(model: LiveModel, request: ItemRequest, metrics: ServerMetrics, transport: Transport): Promise<ItemReply[]> {
  const { op, items: raw } = request;
  const stop = metrics.startTimer(op, transport);
  const indexOf = (i: number) => (request.batch ? i : undefined);
  let replies: ItemReply[];
  switch (op) {
    case 'learn': {
      const items = raw.map((item, i) => toLearnItem(item, model, indexOf(i)));
      replies = (await model.learn(items)).map(ackReply);
      break;
    }
    case 'predict': {
      const items = raw.map((item, i) => toPredictItem(item, model, indexOf(i)));
      replies = (await model.predict(items)).map(predictionReply);
      break;
    }
    case 'label': {
      const items = raw.map((item, i) => toLabelItem(item, model, indexOf(i)));
      replies = request.batch ? await labelEach(model, items, metrics, transport) : (await model.label(items)).map(ackReply);
      break;
    }
  }
  stop();
  metrics.countItems(model.name, op, replies.filter((reply) => reply.op !== 'error').length);
  return replies;
}

/**
 * Labels a batch item by item. The engine accepts the labels before a failing one (each label is
 * its own prediction's fate), so every item gets its own reply — an ack, or an error with its
 * index — and no accepted label goes unacknowledged.
 */
async function labelEach(model: LiveModel, items: LabelItem[], metrics: ServerMetrics, transport: Transport): Promise<ItemReply[]> {
  // Labelled one by one, so the engine's per-request limit must be applied to the whole batch here.
  limitItems(items.length, MAX_ITEMS);
  const replies: ItemReply[] = [];
  for (const [index, item] of items.entries()) {
    try {
      replies.push(...(await model.label([item])).map(ackReply));
    } catch (error) {
      if (!isClientError(error)) throw error;
      const reply = { ...errorReply(error, item.clientId), index };
      metrics.countError(reply.code, transport);
      replies.push(reply);
    }
  }
  return replies;
}
