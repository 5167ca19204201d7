import type { IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';
import type { FastifyBaseLogger } from 'fastify';
import { WebSocketServer, type WebSocket } from 'ws';
import type { Engine } from '../../stream/engine.js';
import { bearerToken, type Authenticator } from '../auth.js';
import { errorReply, httpStatus, isClientError, ProtocolError } from '../errors.js';
import type { ServerMetrics } from '../metrics-prometheus.js';
import { StreamConnection } from './connection.js';

/** What the hub needs from the server. */
export interface HubOptions {
  engine: Engine;
  auth: Authenticator;
  metrics: ServerMetrics;
  /** Largest accepted frame, bytes (larger ones get `too_large`, the connection stays open). */
  maxMessageBytes: number;
  log: FastifyBaseLogger;
}

/** `GET /v1/models/:model/stream`. */
const STREAM_PATH = /^\/v1\/models\/([^/]+)\/stream\/?$/;

/**
 * Frames up to this many times the limit are read and answered with `too_large`; beyond it ws
 * closes the connection (1009) rather than buffer arbitrarily large frames.
 */
const HARD_LIMIT_FACTOR = 8;

/** Close codes when a connection is refused after the upgrade (readable by browsers). */
const CLOSE_CODES = { unauthorized: 4401, unknown_model: 4404 } as const;

/**
 * The WebSocket side of the server: upgrades `GET /v1/models/:model/stream` requests on the
 * fastify HTTP server (plain `ws`, no per-message compression), authenticates them (Bearer header,
 * or `?token=` for browsers) and keeps the open {@link StreamConnection}s for a graceful shutdown.
 *
 * A refused stream is still upgraded, then sent one `error` reply and closed with 4401
 * (`unauthorized`) or 4404 (`unknown_model`), because browsers cannot read an HTTP refusal.
 */
export class StreamHub {
  private readonly wss: WebSocketServer;
  private readonly connections = new Set<StreamConnection>();
  private accepting = true;

  constructor(private readonly options: HubOptions) {
    this.wss = new WebSocketServer({
      noServer: true,
      maxPayload: options.maxMessageBytes * HARD_LIMIT_FACTOR,
      perMessageDeflate: false,
      // UTF-8 is checked per message (answered with bad_json) instead of closing the connection.
      skipUTF8Validation: true,
    });
  }

  /** Handles the `upgrade` events of `server`. */
  attach(server: Server): void {
    server.on('upgrade', (request: IncomingMessage, socket: Duplex, head: Buffer) => this.upgrade(request, socket, head));
  }

  /**
   * Stops accepting streams and messages, waits until every accepted message is answered, then
   * closes every connection with 1001 (dropping sockets that do not close within `graceMs`).
   */
  async shutdown(graceMs = 1000): Promise<void> {
    this.accepting = false;
    await Promise.all([...this.connections].map((connection) => connection.shutdown(graceMs)));
    this.wss.close();
  }

  private upgrade(request: IncomingMessage, socket: Duplex, head: Buffer): void {
    socket.on('error', (error) => this.options.log.debug({ err: error }, 'upgrade socket error'));
    const url = new URL(request.url ?? '/', 'http://localhost');
    const match = STREAM_PATH.exec(url.pathname);
    if (!match) return refuse(socket, new ProtocolError('not_found', `no stream at ${url.pathname}; expected /v1/models/:model/stream`));
    if (!this.accepting) return refuse(socket, new ProtocolError('closed', 'the server is shutting down'));
    this.wss.handleUpgrade(request, socket, head, (ws) => this.open(ws, request, url, match[1]));
  }

  private open(ws: WebSocket, request: IncomingMessage, url: URL, rawModel: string): void {
    try {
      const role = this.options.auth.identify(bearerToken(request.headers.authorization) ?? url.searchParams.get('token') ?? undefined);
      const model = this.options.engine.model(safeDecode(rawModel)).name;
      const connection = new StreamConnection(ws, { ...this.options, model, role });
      this.connections.add(connection);
      ws.once('close', () => this.connections.delete(connection));
    } catch (error) {
      const reply = errorReply(error);
      this.options.metrics.countError(reply.code, 'ws');
      ws.send(JSON.stringify(reply));
      ws.close(reply.code === 'unauthorized' ? CLOSE_CODES.unauthorized : reply.code === 'unknown_model' ? CLOSE_CODES.unknown_model : 1011, reply.code);
      if (!isClientError(error)) this.options.log.error({ err: error }, 'stream open failed');
    }
  }
}

/** Answers an upgrade request with a plain HTTP error (not a stream URL, or shutting down). */
function refuse(socket: Duplex, error: ProtocolError): void {
  const body = JSON.stringify(errorReply(error));
  const status = httpStatus(error.code);
  socket.end(
    `HTTP/1.1 ${status} ${status === 404 ? 'Not Found' : 'Service Unavailable'}\r\n` +
      `Content-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
  );
}

function safeDecode(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}
