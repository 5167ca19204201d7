import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { http, input, startServer, StreamClient, type TestServer } from './helpers.js';

const CLIENTS = 20;
const ITEMS = 500;

describe('20 concurrent stream clients × 500 labelled items on the default model', () => {
  let server: TestServer;

  beforeAll(async () => {
    server = await startServer();
  });

  afterAll(async () => {
    await server?.dispose();
  });

  it('acks every item once, learns and records all 10,000', async () => {
    const started = Date.now();
    const clients = await Promise.all(Array.from({ length: CLIENTS }, () => StreamClient.open(server.url)));
    const acks = await Promise.all(
      clients.map(async (client, c) => {
        // Pipelined like a real producer: every item is sent at once, acks arrive as commits land.
        for (let i = 0; i < ITEMS; i++) client.send({ op: 'learn', id: `c${c}-${i}`, x: input(c * ITEMS + i), y: (c + i) % 10 });
        const replies = [];
        for (let i = 0; i < ITEMS; i++) replies.push(await client.next(120_000));
        return replies;
      }),
    );
    const all = acks.flat();
    expect(all.every((reply) => reply.op === 'ack')).toBe(true);
    expect(new Set(all.map((reply) => reply.id)).size).toBe(CLIENTS * ITEMS);
    expect(new Set(all.map((reply) => reply.seq)).size).toBe(CLIENTS * ITEMS);
    const ackedMs = Date.now() - started;

    await expect.poll(async () => (await http(server.url, 'GET', '/v1/models/default')).body.samples, { timeout: 240_000, interval: 200 }).toBe(CLIENTS * ITEMS);
    const learnedMs = Date.now() - started;
    const recording = (await http(server.url, 'GET', '/v1/recordings')).body.find((r: { model: string }) => r.model === 'default');
    expect(recording.count).toBe(CLIENTS * ITEMS);
    expect((await http(server.url, 'GET', '/v1/models/default')).body.lastSeq).toBe(CLIENTS * ITEMS);
    console.info(`load: ${CLIENTS}×${ITEMS} acked in ${ackedMs} ms, learned in ${learnedMs} ms (backend ${server.engine.backend})`);
    await Promise.all(clients.map((client) => client.close()));
  }, 300_000);
});
