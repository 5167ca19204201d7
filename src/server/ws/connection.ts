import type { FastifyBaseLogger } from 'fastify';
import type { Subscription } from 'rxjs';
import type { RawData, WebSocket } from 'ws';
import type { Engine } from '../../stream/engine.js';
import { StreamError } from '../../stream/errors.js';
import { Authenticator, type Access } from '../auth.js';
import type { Role } from '../config.js';
import { errorReply, isClientError, ProtocolError } from '../errors.js';
import type { ServerMetrics } from '../metrics-prometheus.js';
import { runItems } from '../operations.js';
import type { ItemOp } from '../protocol.js';
import { binaryRequest, parseText, peekId, toRequest, type ItemRequest, type StreamRequest, type SubscribeRequest } from './messages.js';

/** What a stream connection needs from the server. */
export interface ConnectionContext {
  engine: Engine;
  metrics: ServerMetrics;
  /** The model of the stream's URL. */
  model: string;
  /** The role of the connection's token. */
  role: Role;
  /** Largest accepted frame, bytes; larger ones are answered with `too_large`. */
  maxMessageBytes: number;
  log: FastifyBaseLogger;
}

/** Requests in flight per connection before the server stops reading from it (backpressure). */
const MAX_IN_FLIGHT = 256;

/** Replies buffered for a client that does not read them before the connection is closed. */
const MAX_BUFFERED_BYTES = 64 * 1024 * 1024;
/** Close code for a client that does not read its replies. */
const POLICY_VIOLATION = 1008;

/** The item ops, and their binary op bytes (1 learn, 2 predict, 3 label). */
const ITEM_OPS: readonly ItemOp[] = ['learn', 'predict', 'label'];
const BINARY_ITEM_OPS: Readonly<Record<number, ItemOp>> = { 1: 'learn', 2: 'predict', 3: 'label' };

/** Close code sent when the server shuts down. */
const GOING_AWAY = 1001;

/**
 * One client's stream. Each message is checked completely before anything reaches the model; a
 * bad message is answered with an `error` reply and the connection stays open. Engine calls start
 * in arrival order; the replies of each op (learn, predict, label) are sent in arrival order, each
 * once its work is done (an ack once the item is durably recorded).
 */
export class StreamConnection {
  private readonly tails: Record<ItemOp, Promise<void>> = { learn: Promise.resolve(), predict: Promise.resolve(), label: Promise.resolve() };
  private inFlight = 0;
  private accepting = true;
  private subscription: Subscription | null = null;
  private onIdle: (() => void) | null = null;

  constructor(
    private readonly ws: WebSocket,
    private readonly ctx: ConnectionContext,
  ) {
    ctx.metrics.connectionDelta(1);
    ws.on('message', (data, isBinary) => this.receive(toBytes(data), isBinary));
    ws.on('error', (error) => ctx.log.debug({ err: error }, 'stream connection error'));
    ws.once('close', () => this.dispose());
  }

  /**
   * Graceful close: answers messages that arrive from now on with `closed`, waits until every
   * accepted message has its reply, then closes with 1001 and waits for the close (at most
   * `graceMs`, then the socket is dropped).
   */
  async shutdown(graceMs: number): Promise<void> {
    this.accepting = false;
    if (this.ws.isPaused) this.ws.resume();
    if (this.inFlight > 0) await new Promise<void>((resolve) => (this.onIdle = resolve));
    if (this.ws.readyState === this.ws.CLOSED) return;
    const closed = new Promise<void>((resolve) => this.ws.once('close', () => resolve()));
    this.ws.close(GOING_AWAY, 'server shutting down');
    const timer = setTimeout(() => this.ws.terminate(), graceMs);
    await closed;
    clearTimeout(timer);
  }

  /** Handles one frame; never throws. */
  private receive(data: Uint8Array, isBinary: boolean): void {
    if (data.length > this.ctx.maxMessageBytes) {
      this.fail(new ProtocolError('too_large', `the frame has ${data.length} bytes; the limit is ${this.ctx.maxMessageBytes}`));
      return;
    }
    let id: string | undefined;
    let op: ItemOp | undefined = isBinary ? BINARY_ITEM_OPS[data[1]] : undefined;
    let request: StreamRequest;
    try {
      if (isBinary) {
        request = binaryRequest(data);
      } else {
        const message = parseText(data);
        id = peekId(message);
        op = ITEM_OPS.find((o) => o === message.op);
        request = toRequest(message);
      }
      if (!this.accepting) throw new StreamError('closed', 'the server is shutting down; the message was not accepted');
      if (request.op === 'subscribe') this.subscribe(request);
      else this.submit(request);
    } catch (error) {
      // A refused item message is answered in its op's order, like the accepted ones.
      if (op === undefined) this.fail(error, id);
      else this.tails[op] = this.tails[op].then(() => this.fail(error, id));
    }
  }

  /** Starts the engine work of a request now; queues its replies behind earlier ones of its op. */
  private submit(request: ItemRequest): void {
    this.inFlight++;
    if (this.inFlight >= MAX_IN_FLIGHT) this.ws.pause();
    // Settle at once so that a rejection waiting for its turn is never "unhandled".
    const outcome = this.execute(request).then(
      (replies) => ({ replies, error: undefined }),
      (error: unknown) => ({ replies: [], error }),
    );
    this.tails[request.op] = this.tails[request.op].then(async () => {
      const { replies, error } = await outcome;
      if (error === undefined) for (const reply of replies) this.send(reply);
      else this.fail(error, itemId(request, error));
      this.settled();
    });
  }

  private async execute(request: ItemRequest) {
    this.authorize(request.op === 'predict' ? 'read' : 'write', request.op);
    return runItems(this.ctx.engine.model(this.ctx.model), request, this.ctx.metrics, 'ws');
  }

  private settled(): void {
    this.inFlight--;
    if (this.ws.isPaused && this.accepting && this.inFlight <= MAX_IN_FLIGHT / 2) this.ws.resume();
    if (this.inFlight === 0) this.onIdle?.();
  }

  /** Replaces the connection's topics; `metrics` forwards the model's live metric windows. */
  private subscribe(request: SubscribeRequest): void {
    this.authorize('read', 'subscribe');
    const metrics$ = this.ctx.engine.metrics$(this.ctx.model);
    this.subscription?.unsubscribe();
    this.subscription = request.topics.includes('metrics') ? metrics$.subscribe((event) => this.send({ op: 'metrics', ...event })) : null;
    this.send({ op: 'subscribed', ...(request.id !== undefined && { id: request.id }), topics: request.topics });
  }

  private authorize(access: Access, op: string): void {
    Authenticator.require(this.ctx.role, access, `op ${op}`);
  }

  /**
   * Sends a reply. A client that does not read its replies would make the server buffer them
   * without limit: past {@link MAX_BUFFERED_BYTES} unsent the connection is closed (1008).
   */
  private send(reply: object): void {
    if (this.ws.readyState !== this.ws.OPEN) return;
    if (this.ws.bufferedAmount > MAX_BUFFERED_BYTES) {
      this.ctx.log.warn('stream client does not read its replies; closing the connection');
      this.ws.close(POLICY_VIOLATION, 'replies not read');
      return;
    }
    this.ws.send(JSON.stringify(reply));
  }

  private fail(error: unknown, id?: string): void {
    const reply = errorReply(error, id);
    if (!isClientError(error)) this.ctx.log.error({ err: error }, 'stream request failed');
    this.ctx.metrics.countError(reply.code, 'ws');
    this.send(reply);
  }

  private dispose(): void {
    this.subscription?.unsubscribe();
    this.ctx.metrics.connectionDelta(-1);
  }
}

/** The id of the item an error is about: the offending one of a batch, or the only one. */
function itemId(request: ItemRequest, error: unknown): string | undefined {
  const index = isClientError(error) && error.index !== undefined ? error.index : request.items.length === 1 ? 0 : -1;
  const id = (request.items[index] as { id?: unknown } | undefined)?.id;
  return typeof id === 'string' ? id : undefined;
}

/** ws hands text and binary payloads as Buffer (or fragments when configured otherwise). */
function toBytes(data: RawData): Uint8Array {
  if (Array.isArray(data)) return Buffer.concat(data);
  return data instanceof ArrayBuffer ? new Uint8Array(data) : data;
}
