import { firstValueFrom, filter } from 'rxjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { connect, SigpropApi, SigpropError, type SigpropClient, type WebSocketConstructor } from '../../clients/ts/index.js';
import { input, startServer, type TestServer } from '../server/helpers.js';
import { TcpProxy } from './tcp-proxy.js';

/** Waits until `check` holds (polling), at most `timeoutMs`. */
async function until(check: () => Promise<boolean>, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

describe('client SDK against a real server', () => {
  let server: TestServer;

  beforeAll(async () => {
    server = await startServer();
  });
  afterAll(async () => {
    await server?.dispose();
  });

  for (const binary of [false, true]) {
    it(`learns, predicts, takes delayed labels and streams metrics (${binary ? 'binary' : 'JSON'} frames)`, async () => {
      const client = await connect(server.url, { binary });
      try {
        const window = firstValueFrom(client.metrics$.pipe(filter((event) => event.layers.some((l) => l.layer === 'output'))));
        const acks = await Promise.all([1, 2, 3].map((seed) => client.learn(input(seed + (binary ? 100 : 0)), seed)));
        expect(acks.map((a) => a.duplicate)).toEqual([false, false, false]);
        expect(acks[1].seq).toBe(acks[0].seq + 1);
        expect(acks[2].seq).toBe(acks[1].seq + 1);

        const prediction = await client.predict(Float32Array.from(input(7)));
        expect(prediction.probs).toHaveLength(10);
        expect(prediction.probs.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 4);
        expect(prediction.label).toBe(prediction.probs.indexOf(Math.max(...prediction.probs)));

        const labelled = await client.label(prediction.predictionId, 4);
        expect(labelled.seq).toBeGreaterThan(acks[2].seq);

        const event = await window;
        expect(event.model).toBe('default');
        expect(event.layers.map((l) => l.layer)).toEqual(expect.arrayContaining(['hidden1', 'output']));
      } finally {
        await client.close();
      }
    });
  }

  it('rejects a bad item with the server error and keeps the stream usable', async () => {
    const client = await connect(server.url);
    try {
      await expect(client.learn([1, 2, 3], 1)).rejects.toMatchObject({ code: 'bad_shape', message: expect.stringContaining('expected 784') });
      await expect(client.learn(input(1), 10)).rejects.toMatchObject({ code: 'bad_label' });
      await expect(client.label('no-such-prediction', 1)).rejects.toMatchObject({ code: 'unknown_prediction' });
      await expect(client.predict(input(2))).resolves.toMatchObject({ probs: expect.any(Array) });
      expect(client.unanswered).toBe(0);
    } finally {
      await client.close();
    }
    await expect(client.learn(input(3), 1)).rejects.toBeInstanceOf(SigpropError);
  });

  it('refuses an unknown model and an unreachable server', async () => {
    await expect(connect(server.url, { model: 'nope' })).rejects.toMatchObject({ code: 'unknown_model' });
    await expect(connect('http://127.0.0.1:1', { reconnect: false })).rejects.toMatchObject({ code: 'connect_failed' });
  });

  it('resends unanswered items after the connection is lost; the server learns none twice', async () => {
    const proxy = await TcpProxy.start(server.url);
    const client = await connect(proxy.url, { reconnect: { initialDelayMs: 50 } });
    // Straight to the server: the proxy swallows replies for a while.
    const api = new SigpropApi(server.url);
    try {
      const before = await api.model('default');
      await Promise.all([0, 1, 2, 3, 4].map((i) => client.learn(input(1000 + i), i)));

      // The server receives and records the next items, but their acks never arrive.
      proxy.holdReplies = true;
      const lost = [5, 6, 7, 8, 9, 10, 11, 12].map((i) => client.learn(input(1000 + i), i % 10));
      for (const ack of lost) ack.catch(() => undefined);
      await until(async () => (await api.model('default')).lastSeq >= before.lastSeq + 13);
      expect(client.unanswered).toBe(8);
      const statuses: string[] = [];
      client.status$.subscribe((status) => statuses.push(status));
      proxy.dropAll();

      const acks = await Promise.all(lost);
      expect(acks.every((ack) => ack.duplicate)).toBe(true);
      expect(statuses).toEqual(['open', 'reconnecting', 'open']);
      const fresh = await client.learn(input(2000), 3);
      expect(fresh.duplicate).toBe(false);

      await until(async () => (await api.model('default')).queued === 0);
      const after = await api.model('default');
      expect(after.lastSeq - before.lastSeq).toBe(14);
      expect(after.samples - before.samples).toBe(14);
    } finally {
      await client.close();
      await proxy.close();
    }
  });

  it('keeps items sent while the server restarts and delivers them once it is back', async () => {
    const client = await connect(server.url, { reconnect: { initialDelayMs: 50, maxDelayMs: 200 } });
    const { port, dataDir } = server;
    try {
      const before = await client.api.model('default');
      await server.close();
      const queued = [0, 1, 2].map((i) => client.learn(input(3000 + i), i));
      for (const ack of queued) ack.catch(() => undefined);
      server = await startServer({ port }, dataDir);
      const acks = await Promise.all(queued);
      expect(acks.map((ack) => ack.duplicate)).toEqual([false, false, false]);
      expect((await client.api.model('default')).lastSeq).toBe(before.lastSeq + 3);
    } finally {
      await client.close();
    }
  });
});

describe('client SDK with tokens', () => {
  let server: TestServer;
  const reader = 'reader-token-1';
  const writer = 'writer-token-1';

  beforeAll(async () => {
    server = await startServer({ tokens: { [reader]: 'read', [writer]: 'write' } });
  });
  afterAll(async () => {
    await server?.dispose();
  });

  it('refuses a missing token and checks roles', async () => {
    await expect(connect(server.url)).rejects.toMatchObject({ code: 'unauthorized' });
    const client: SigpropClient = await connect(server.url, { token: reader });
    try {
      await expect(client.predict(input(1))).resolves.toMatchObject({ step: expect.any(Number) });
      await expect(client.learn(input(1), 1)).rejects.toMatchObject({ code: 'forbidden' });
    } finally {
      await client.close();
    }
  });

  it('sends the token in the query with a browser-style WebSocket class', async () => {
    const client = await connect(server.url, { token: writer, WebSocket: WebSocket as unknown as WebSocketConstructor });
    try {
      await expect(client.learn(input(5), 5)).resolves.toMatchObject({ duplicate: false });
    } finally {
      await client.close();
    }
  });
});
