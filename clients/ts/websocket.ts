import { SigpropError } from './errors.js';

/** The part of the WHATWG WebSocket API the client uses (browsers' `WebSocket` and `ws` both have it). */
export interface WebSocketLike {
  binaryType: string;
  readonly readyState: number;
  onopen: ((event: unknown) => void) | null;
  onmessage: ((event: { data: unknown }) => void) | null;
  onclose: ((event: { code: number; reason: string }) => void) | null;
  onerror: ((event: unknown) => void) | null;
  send(data: string | Uint8Array): void;
  close(code?: number, reason?: string): void;
}

/** A WebSocket class of the WHATWG shape: `new WebSocket(url)`. */
export type WebSocketConstructor = new (url: string) => WebSocketLike;

/** Opens a new socket to a URL; `headers` are sent with the upgrade where the implementation can. */
export type SocketFactory = (url: string, headers: Record<string, string>) => WebSocketLike;

/** How sockets are made and how the token travels. */
export interface SocketTransport {
  open: SocketFactory;
  /** Browsers' WebSocket cannot send headers: the token goes in `?token=` instead. */
  tokenInQuery: boolean;
}

/**
 * Picks the WebSocket implementation: the one given; in Node, the `ws` package (imported only
 * there, so that browser bundles never need it; it sends the token as an `Authorization` header);
 * in browsers, the global `WebSocket` (token in the query).
 * @throws SigpropError `no_websocket` when none is available.
 */
export async function resolveTransport(given?: WebSocketConstructor): Promise<SocketTransport> {
  if (given) return { open: (url) => new given(url), tokenInQuery: true };
  if (isNode()) {
    const { default: NodeWebSocket } = await import('ws');
    return { open: (url, headers) => new NodeWebSocket(url, { headers }) as unknown as WebSocketLike, tokenInQuery: false };
  }
  const global = (globalThis as { WebSocket?: WebSocketConstructor }).WebSocket;
  if (global) return { open: (url) => new global(url), tokenInQuery: true };
  throw new SigpropError('no_websocket', 'no WebSocket implementation: pass one as options.WebSocket');
}

function isNode(): boolean {
  return typeof process !== 'undefined' && typeof process.versions?.node === 'string';
}
