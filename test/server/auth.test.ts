import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { http, input, startServer, StreamClient, type TestServer } from './helpers.js';

const TOKENS = { 'read-token-0001': 'read', 'write-token-0001': 'write', 'admin-token-0001': 'admin' } as const;
type Credential = 'none' | 'bad' | keyof typeof TOKENS;
const CREDENTIALS: Credential[] = ['none', 'bad', ...(Object.keys(TOKENS) as Array<keyof typeof TOKENS>)];
const RANK = { public: -1, read: 0, write: 1, admin: 2 } as const;

const x = input(1);

/** Every HTTP route with the role it needs; bodies are valid enough to pass auth and cheap to run. */
const ROUTES: Array<[method: string, path: string, access: keyof typeof RANK, body?: unknown]> = [
  ['GET', '/healthz', 'public'],
  ['GET', '/docs/json', 'public'],
  ['GET', '/v1/info', 'read'],
  ['GET', '/v1/models', 'read'],
  ['GET', '/v1/models/default', 'read'],
  ['POST', '/v1/models/default/predict', 'read', { x }],
  ['GET', '/v1/models/default/metrics', 'read'],
  ['GET', '/metrics', 'read'],
  ['POST', '/v1/models/default/learn', 'write', { x, y: 1 }],
  ['POST', '/v1/models/default/label', 'write', { predictionId: 'unknown', y: 1 }],
  ['POST', '/v1/models', 'admin', { name: 'never', config: { classes: 1 } }],
  ['DELETE', '/v1/models/absent', 'admin'],
  ['GET', '/v1/models/default/checkpoints', 'admin'],
  ['POST', '/v1/models/default/checkpoints', 'admin', { reason: 'auth-test' }],
  ['POST', '/v1/models/default/checkpoints/999999/restore', 'admin'],
  ['GET', '/v1/recordings', 'admin'],
  ['POST', '/v1/evaluations', 'admin', { model: 'absent' }],
  ['GET', '/v1/evaluations/999999', 'admin'],
];

function tokenOf(credential: Credential): string | undefined {
  if (credential === 'none') return undefined;
  return credential === 'bad' ? 'not-a-valid-token' : credential;
}

/** The status class a credential must get on a route: 401, 403, or through (anything else). */
function expected(credential: Credential, access: keyof typeof RANK): 401 | 403 | 'through' {
  if (access === 'public') return 'through';
  if (credential === 'none' || credential === 'bad') return 401;
  return RANK[TOKENS[credential]] >= RANK[access] ? 'through' : 403;
}

describe('bearer tokens with roles', () => {
  let server: TestServer;

  beforeAll(async () => {
    server = await startServer({ tokens: { ...TOKENS } });
  });

  afterAll(async () => {
    await server?.dispose();
  });

  describe('HTTP: each role × each route', () => {
    const cases = ROUTES.flatMap(([method, path, access, body]) => CREDENTIALS.map((credential) => [method, path, access, credential, body] as const));
    it.each(cases)('%s %s (%s) with %s', async (method, path, access, credential, body) => {
      const reply = await http(server.url, method, path, { token: tokenOf(credential), body });
      const want = expected(credential, access);
      if (want === 'through') {
        expect([401, 403]).not.toContain(reply.status);
      } else {
        expect(reply.status).toBe(want);
        expect(reply.body).toMatchObject({ op: 'error', code: want === 401 ? 'unauthorized' : 'forbidden' });
      }
    });

    it('rejects other schemes than Bearer', async () => {
      const reply = await http(server.url, 'GET', '/v1/info', { headers: { authorization: 'Basic YTpi' } });
      expect(reply).toMatchObject({ status: 401, body: { code: 'unauthorized' } });
    });
  });

  describe('WebSocket: each role × each op', () => {
    it.each(['none', 'bad'] as const)('refuses the stream with %s token (error, then close 4401)', async (credential) => {
      const client = await StreamClient.open(server.url, 'default', { token: tokenOf(credential) });
      expect(await client.next()).toMatchObject({ op: 'error', code: 'unauthorized' });
      await expect.poll(() => client.closeCode).toBe(4401);
    });

    const ops: Array<[op: string, access: 'read' | 'write', message: object, okOp: string]> = [
      ['predict', 'read', { op: 'predict', x }, 'prediction'],
      ['subscribe', 'read', { op: 'subscribe', topics: ['metrics'] }, 'subscribed'],
      ['learn', 'write', { op: 'learn', x, y: 2 }, 'ack'],
      ['label', 'write', { op: 'label', predictionId: 'unknown', y: 2 }, 'error'],
    ];
    const roles = Object.keys(TOKENS) as Array<keyof typeof TOKENS>;
    it.each(roles.flatMap((token) => ops.map((op) => [token, ...op] as const)))('%s: op %s', async (token, op, access, message, okOp) => {
      const client = await StreamClient.open(server.url, 'default', { token, query: token === 'read-token-0001' });
      const id = `${token}-${op}`;
      const reply = await client.request({ ...message, id });
      if (RANK[TOKENS[token]] >= RANK[access]) {
        expect(reply.op).toBe(okOp);
        if (okOp === 'error') expect(reply.code).toBe('unknown_prediction');
      } else {
        expect(reply).toMatchObject({ op: 'error', id, code: 'forbidden' });
        expect(reply.message).toMatch(new RegExp(`needs the ${access} role`));
      }
      expect(client.open).toBe(true);
      await client.close();
    });
  });
});
