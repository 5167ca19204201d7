import { FATAL_CLOSE_CODES, SigpropError } from './errors.js';
import type { Frame } from './frames.js';
import type { WebSocketLike } from './websocket.js';

/** Delays between reconnection attempts: doubling from `initialDelayMs` up to `maxDelayMs`. */
export interface Backoff {
  initialDelayMs: number;
  maxDelayMs: number;
}

/** What the socket tells its owner. */
export interface SocketHandlers {
  /** A connection is open (the owner starts its handshake on it). */
  opened(): void;
  /** A text frame arrived. */
  message(text: string): void;
  /** The connection was lost; another attempt follows after a delay. */
  lost(): void;
  /** No more attempts: the server refused the stream, the first attempt failed, or reconnecting is off. */
  failed(error: SigpropError): void;
}

const OPEN = 1;
const NORMAL_CLOSURE = 1000;

/**
 * One WebSocket at a time to a fixed URL, replaced after each loss with exponential backoff.
 * Gives up when the server refuses the stream (close codes 4401 unauthorized, 4404
 * unknown_model), when the very first attempt fails (a wrong URL should fail fast), when
 * reconnecting is off, or after {@link close}.
 */
export class ReconnectingSocket {
  private socket: WebSocketLike | null = null;
  private delayMs: number;
  private everOpened = false;
  private stopped = false;
  private timer: ReturnType<typeof setTimeout> | null = null;
  /** The last `{"op":"error"}` without an id: the server's reason for the close that follows. */
  private refusal: SigpropError | null = null;

  constructor(
    private readonly open: () => WebSocketLike,
    private readonly handlers: SocketHandlers,
    private readonly backoff: Backoff | false,
  ) {
    this.delayMs = backoff ? backoff.initialDelayMs : 0;
  }

  /** Opens the first connection. */
  start(): void {
    this.connect();
  }

  /** True when a connection is open. */
  get isOpen(): boolean {
    return this.socket?.readyState === OPEN;
  }

  /** Sends a frame on the open connection; false when there is none (the owner resends later). */
  send(frame: Frame): boolean {
    if (!this.socket || this.socket.readyState !== OPEN) return false;
    this.socket.send(frame);
    return true;
  }

  /** Notes the server's refusal reason (an error reply without an item id). */
  noteRefusal(error: SigpropError): void {
    this.refusal = error;
  }

  /** The connection works (handshake done): the next loss starts again from the shortest delay. */
  confirmed(): void {
    this.everOpened = true;
    if (this.backoff) this.delayMs = this.backoff.initialDelayMs;
  }

  /** Closes for good; resolves once the socket is closed. */
  close(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    const socket = this.socket;
    if (!socket || socket.readyState > OPEN) return Promise.resolve();
    return new Promise((resolve) => {
      socket.onclose = () => resolve();
      socket.close(NORMAL_CLOSURE, 'client closed');
    });
  }

  private connect(): void {
    let reason = '';
    const socket = this.open();
    this.socket = socket;
    socket.binaryType = 'arraybuffer';
    socket.onopen = () => this.handlers.opened();
    socket.onmessage = (event) => {
      if (typeof event.data === 'string') this.handlers.message(event.data);
    };
    socket.onerror = (event) => {
      reason = (event as { message?: string }).message ?? reason;
    };
    socket.onclose = (event) => this.closed(event.code, event.reason || reason);
  }

  private closed(code: number, reason: string): void {
    this.socket = null;
    if (this.stopped) return;
    const fatal = FATAL_CLOSE_CODES[code];
    if (fatal) return this.fail(this.refusal ?? new SigpropError(fatal, `the server refused the stream (${code} ${reason})`));
    if (!this.everOpened) return this.fail(new SigpropError('connect_failed', `cannot open the stream${reason ? `: ${reason}` : ` (close code ${code})`}`));
    if (!this.backoff) return this.fail(new SigpropError('disconnected', `the connection was lost (close code ${code}) and reconnecting is off`));
    this.handlers.lost();
    this.timer = setTimeout(() => this.connect(), this.delayMs);
    this.delayMs = Math.min(this.delayMs * 2, this.backoff.maxDelayMs);
  }

  private fail(error: SigpropError): void {
    this.stopped = true;
    this.handlers.failed(error);
  }
}
