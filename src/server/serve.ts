import type { AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';
import { Engine } from '../stream/engine.js';
import { buildServer } from './app.js';
import { assertSafeExposure, type ServerConfig } from './config.js';

/** A running server. */
export interface ServerHandle {
  readonly app: FastifyInstance;
  readonly engine: Engine;
  /** Base URL, e.g. `http://127.0.0.1:8080` (the real port when `port` was 0). */
  readonly url: string;
  readonly port: number;
  /**
   * Graceful stop: refuses new connections and messages, answers every accepted one, closes the
   * streams (1001) and HTTP, then lets the engine drain its queues, checkpoint every model and
   * close SQLite — within `config.deadlineMs` as far as the engine can. Idempotent.
   */
  close(): Promise<void>;
}

/**
 * Opens the engine on `config.dataDir` (creating the default model on an empty data dir), builds
 * the server and listens on `config.host:config.port`. Installs no signal handlers (see
 * `lifecycle.ts`).
 * @throws ServerConfigError when a non-loopback host has no tokens and `insecure` is not set;
 *   the engine's or `listen`'s errors (e.g. EADDRINUSE) after closing what was opened.
 */
export async function serve(config: ServerConfig): Promise<ServerHandle> {
  assertSafeExposure(config);
  const engine = await Engine.open({
    dataDir: config.dataDir,
    backend: config.backend,
    learnerThreads: config.learnerThreads,
    maxQueue: config.maxQueue,
    overload: config.overload,
  });
  let app: FastifyInstance;
  try {
    app = await buildServer(engine, config);
    await app.listen({ host: config.host, port: config.port });
  } catch (error) {
    await engine.close();
    throw error;
  }
  const address = app.server.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  let closing: Promise<void> | null = null;
  return {
    app,
    engine,
    url: `http://${host}:${address.port}`,
    port: address.port,
    close: () => (closing ??= stop(app, engine, config.deadlineMs)),
  };
}

async function stop(app: FastifyInstance, engine: Engine, deadlineMs: number): Promise<void> {
  const started = Date.now();
  await app.close();
  await engine.close({ deadlineMs: Math.max(0, deadlineMs - (Date.now() - started)) });
}
