import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import WebSocket from 'ws';
import { loadServerConfig, type ServerConfig } from '../../src/server/config.js';
import { serve, type ServerHandle } from '../../src/server/serve.js';

/** A real server on a free loopback port over a fresh temporary data dir. */
export interface TestServer extends ServerHandle {
  dataDir: string;
  /** Closes the server (checkpointing) and deletes the data dir. */
  dispose(): Promise<void>;
}

/** Starts the real server (real engine, real SQLite file) with `overrides` on top of the defaults. */
export async function startServer(overrides: Partial<ServerConfig> = {}, dataDir = mkdtempSync(join(tmpdir(), 'sigprop-server-'))): Promise<TestServer> {
  const config = { ...loadServerConfig({ env: {}, flags: { port: '0', dataDir, logLevel: 'silent' } }), ...overrides };
  const handle = await serve(config);
  return Object.assign(handle, {
    dataDir,
    async dispose() {
      await handle.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  });
}

/** A deterministic input of `n` values in [0, 1). */
export function input(seed: number, n = 784): number[] {
  const x = new Array<number>(n);
  let s = seed * 2654435761;
  for (let i = 0; i < n; i++) {
    s = (s * 1103515245 + 12345) >>> 0;
    x[i] = (s % 1000) / 1000;
  }
  return x;
}

/** A parsed server → client frame; tests read its JSON fields freely. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- arbitrary JSON replies
export type Reply = Record<string, any>;

/** A `ws` client that queues replies so that tests can await them in order. */
export class StreamClient {
  private readonly queue: Reply[] = [];
  private waiters: Array<() => void> = [];
  closeCode: number | null = null;

  private constructor(readonly ws: WebSocket) {
    ws.on('message', (data) => {
      this.queue.push(JSON.parse(data.toString()) as Reply);
      this.wake();
    });
    ws.on('close', (code) => {
      this.closeCode = code;
      this.wake();
    });
  }

  /** Opens `/v1/models/:model/stream`; `token` goes in the Authorization header unless `query`. */
  static async open(baseUrl: string, model = 'default', options: { token?: string; query?: boolean } = {}): Promise<StreamClient> {
    const url = new URL(`/v1/models/${model}/stream`, baseUrl.replace(/^http/, 'ws'));
    const headers: Record<string, string> = {};
    if (options.token !== undefined && options.query) url.searchParams.set('token', options.token);
    else if (options.token !== undefined) headers.authorization = `Bearer ${options.token}`;
    const ws = new WebSocket(url, { headers });
    const client = new StreamClient(ws);
    await new Promise<void>((resolve, reject) => {
      ws.once('open', () => resolve());
      ws.once('error', reject);
    });
    return client;
  }

  /** Sends a JSON message (or a raw string / bytes as they are). */
  send(message: object | string | Uint8Array): void {
    if (message instanceof Uint8Array) this.ws.send(message, { binary: true });
    else this.ws.send(typeof message === 'string' ? message : JSON.stringify(message));
  }

  /** The next reply (waits up to `timeoutMs`). */
  async next(timeoutMs = 30_000): Promise<Reply> {
    const deadline = Date.now() + timeoutMs;
    while (this.queue.length === 0) {
      if (this.closeCode !== null) throw new Error(`connection closed (${this.closeCode}) while waiting for a reply`);
      if (Date.now() > deadline) throw new Error('no reply within the timeout');
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, Math.max(1, deadline - Date.now()));
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
    return this.queue.shift()!;
  }

  /** Sends a message and returns the next reply. */
  async request(message: object | string | Uint8Array): Promise<Reply> {
    this.send(message);
    return this.next();
  }

  /** Replies received and not yet taken. */
  get pending(): number {
    return this.queue.length;
  }

  /** True while the socket is open. */
  get open(): boolean {
    return this.ws.readyState === WebSocket.OPEN;
  }

  /** Closes the connection and waits for the close. */
  async close(): Promise<void> {
    if (this.ws.readyState === WebSocket.CLOSED) return;
    const closed = new Promise<void>((resolve) => this.ws.once('close', () => resolve()));
    this.ws.close();
    await closed;
  }

  private wake(): void {
    const waiters = this.waiters;
    this.waiters = [];
    for (const wake of waiters) wake();
  }
}

/** `fetch` against the server with an optional bearer token and JSON body. */
export async function http(
  baseUrl: string,
  method: string,
  path: string,
  options: { token?: string; body?: unknown; raw?: string; headers?: Record<string, string> } = {},
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- arbitrary JSON bodies
): Promise<{ status: number; body: any; text: string; headers: Headers }> {
  const headers: Record<string, string> = { ...options.headers };
  if (options.token !== undefined) headers.authorization = `Bearer ${options.token}`;
  let body: string | undefined;
  if (options.raw !== undefined) body = options.raw;
  else if (options.body !== undefined) body = JSON.stringify(options.body);
  if (body !== undefined && !headers['content-type']) headers['content-type'] = 'application/json';
  const response = await fetch(new URL(path, baseUrl), { method, headers, body });
  const text = await response.text();
  let parsed: unknown = null;
  try {
    parsed = text ? JSON.parse(text) : null;
  } catch {
    parsed = null;
  }
  return { status: response.status, body: parsed, text, headers: response.headers };
}
