import { BehaviorSubject, Observable, Subject } from 'rxjs';
import { SigpropApi } from './api.js';
import { SigpropError } from './errors.js';
import { labelFrame, learnFrame, predictFrame, subscribeFrame, type Frame, type Input } from './frames.js';
import { idGenerator } from './ids.js';
import { PendingItems } from './pending.js';
import { ReconnectingSocket, type Backoff } from './socket.js';
import type { ConnectionStatus, LearnAck, MetricsEvent, PredictionResult } from './types.js';
import { streamUrl } from './urls.js';
import { resolveTransport, type WebSocketConstructor } from './websocket.js';

/** Options of {@link connect}. */
export interface ConnectOptions {
  /** The model to stream to (default `default`). */
  model?: string;
  /** Bearer token (a `read` token predicts; learning needs `write`). */
  token?: string;
  /** Send inputs as binary Float32 frames instead of JSON (default false). */
  binary?: boolean;
  /** WebSocket class (default: the `ws` package in Node, the global `WebSocket` in browsers). */
  WebSocket?: WebSocketConstructor;
  /** Reconnection delays (default 100 ms doubling to 5 s), or `false` to fail on a lost connection. */
  reconnect?: Partial<Backoff> | false;
}

/** A server reply as parsed JSON. */
type Reply = { op: string; id?: string; [key: string]: unknown };

/** Replies that are not errors: the item was not accepted but may be after a reconnect. */
const RETRYABLE = new Set(['closed']);

/**
 * Opens a stream to a model of the server at `url` (`http://host:port` or `ws://host:port`) and
 * resolves once the server has accepted it (token and model checked).
 * @throws SigpropError `unauthorized`, `unknown_model`, `connect_failed`, `no_websocket`.
 */
export async function connect(url: string, options: ConnectOptions = {}): Promise<SigpropClient> {
  const model = options.model ?? 'default';
  const transport = await resolveTransport(options.WebSocket);
  const target = streamUrl(url, model, transport.tokenInQuery ? options.token : undefined);
  const headers: Record<string, string> = !transport.tokenInQuery && options.token ? { authorization: `Bearer ${options.token}` } : {};
  const backoff = options.reconnect === false ? false : { initialDelayMs: 100, maxDelayMs: 5000, ...options.reconnect };
  const client = new SigpropClient(url, model, options, () => transport.open(target, headers), backoff);
  await client.ready();
  return client;
}

/**
 * A live stream to one model: `learn` labelled items, `predict` unlabelled ones, send delayed
 * `label`s, watch `metrics$`. Every item carries a client id; items not answered when the
 * connection drops are resent after reconnecting (learn and label ids are de-duplicated by the
 * server, so nothing is learned twice). Obtain one with {@link connect}.
 */
export class SigpropClient {
  /** The server's HTTP API with the same token (checkpoints, evaluations, stored metrics, …). */
  readonly api: SigpropApi;
  private readonly socket: ReconnectingSocket;
  private readonly pending = new PendingItems();
  private readonly nextId = idGenerator();
  private readonly binary: boolean;
  private readonly statusSubject = new BehaviorSubject<ConnectionStatus>('connecting');
  private readonly metricsSubject = new Subject<MetricsEvent>();
  private readonly firstReady: Promise<void>;
  private settleFirst!: { resolve: () => void; reject: (error: SigpropError) => void };
  private handshakeId: string | null = null;
  private metricsWatchers = 0;

  /** Connection state changes (the current one first). */
  readonly status$: Observable<ConnectionStatus> = this.statusSubject.asObservable();

  /**
   * The model's live metrics windows (per-layer loss and accuracy, prequential accuracy,
   * throughput, latency). Subscribing subscribes the connection to the `metrics` topic; the
   * subscription survives reconnects.
   */
  readonly metrics$: Observable<MetricsEvent> = new Observable<MetricsEvent>((subscriber) => {
    const inner = this.metricsSubject.subscribe(subscriber);
    if (this.metricsWatchers++ === 0) this.sendTopics();
    return () => {
      inner.unsubscribe();
      if (--this.metricsWatchers === 0) this.sendTopics();
    };
  });

  /** @internal use {@link connect}. */
  constructor(
    url: string,
    /** The model this stream feeds. */
    readonly model: string,
    options: ConnectOptions,
    open: ConstructorParameters<typeof ReconnectingSocket>[0],
    backoff: Backoff | false,
  ) {
    this.api = new SigpropApi(url, options.token);
    this.binary = options.binary ?? false;
    this.firstReady = new Promise((resolve, reject) => (this.settleFirst = { resolve, reject }));
    this.socket = new ReconnectingSocket(open, {
      opened: () => this.handshake(),
      message: (text) => this.receive(text),
      lost: () => this.statusSubject.next('reconnecting'),
      failed: (error) => this.fail(error),
    }, backoff);
    this.socket.start();
  }

  /** Items sent and not yet answered (they are resent after a reconnect). */
  get unanswered(): number {
    return this.pending.size;
  }

  /** Resolves once the stream is accepted the first time. @internal */
  ready(): Promise<void> {
    return this.firstReady;
  }

  /**
   * Learns one labelled sample; resolves once the server has durably recorded it.
   * @throws SigpropError `bad_shape`, `not_finite`, `bad_label`, `overloaded`, `forbidden`, … or
   *   the connection's failure.
   */
  learn(x: Input, y: number): Promise<LearnAck> {
    const id = this.nextId();
    return this.submit<LearnAck>(id, learnFrame(id, x, y, this.binary));
  }

  /** Predicts one unlabelled sample at once. @throws SigpropError like {@link learn}. */
  predict(x: Input): Promise<PredictionResult> {
    const id = this.nextId();
    return this.submit<PredictionResult>(id, predictFrame(id, x, this.binary));
  }

  /**
   * Sends the delayed label of an earlier prediction; the server learns the stored input with it.
   * @throws SigpropError `unknown_prediction`, `expired_prediction`, `bad_label`, …
   */
  label(predictionId: string, y: number): Promise<LearnAck> {
    const id = this.nextId();
    return this.submit<LearnAck>(id, labelFrame(id, predictionId, y, this.binary));
  }

  /** Closes the stream for good; unanswered items fail with `closed`. */
  async close(): Promise<void> {
    await this.socket.close();
    this.fail(new SigpropError('closed', 'the client was closed'));
  }

  private submit<T>(id: string, frame: Frame): Promise<T> {
    if (this.statusSubject.value === 'closed') return Promise.reject(new SigpropError('closed', 'the client is closed'));
    const reply = this.pending.add<T>(id, frame);
    if (this.statusSubject.value === 'open') this.socket.send(frame);
    return reply;
  }

  /** Confirms the stream (model and token) with a subscribe round trip before sending items. */
  private handshake(): void {
    this.handshakeId = this.nextId();
    this.socket.send(subscribeFrame(this.handshakeId, this.topics()));
  }

  private receive(text: string): void {
    let reply: Reply;
    try {
      reply = JSON.parse(text) as Reply;
    } catch {
      return;
    }
    switch (reply.op) {
      case 'ack':
        this.pending.resolve(reply.id ?? '', { id: reply.id, seq: reply.seq, duplicate: reply.duplicate === true });
        break;
      case 'prediction': {
        const { op: _op, ...prediction } = reply;
        this.pending.resolve(reply.id ?? '', prediction);
        break;
      }
      case 'error':
        this.onError(reply);
        break;
      case 'metrics': {
        const { op: _op, ...event } = reply;
        this.metricsSubject.next(event as unknown as MetricsEvent);
        break;
      }
      case 'subscribed':
        if (reply.id === this.handshakeId) this.onAccepted();
        break;
    }
  }

  private onError(reply: Reply): void {
    const error = new SigpropError(String(reply.code), String(reply.message), reply.id);
    if (reply.id === undefined || reply.id === this.handshakeId) this.socket.noteRefusal(error);
    else if (!RETRYABLE.has(error.code)) this.pending.reject(reply.id, error);
  }

  /** The stream is accepted: resend everything unanswered, oldest first. */
  private onAccepted(): void {
    this.socket.confirmed();
    this.statusSubject.next('open');
    for (const frame of this.pending.frames()) this.socket.send(frame);
    this.settleFirst.resolve();
  }

  private topics(): string[] {
    return this.metricsWatchers > 0 ? ['metrics'] : [];
  }

  private sendTopics(): void {
    if (this.statusSubject.value === 'open') this.socket.send(subscribeFrame(this.nextId(), this.topics()));
  }

  private fail(error: SigpropError): void {
    if (this.statusSubject.value === 'closed') return;
    this.statusSubject.next('closed');
    this.pending.rejectAll(error);
    this.settleFirst.reject(error);
    this.metricsSubject.complete();
    this.statusSubject.complete();
  }
}
