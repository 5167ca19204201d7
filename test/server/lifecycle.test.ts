import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { http, input, StreamClient } from './helpers.js';

const MAIN = join(import.meta.dirname, '../../src/server/main.ts');
const dataDir = mkdtempSync(join(tmpdir(), 'sigprop-lifecycle-'));
/** Servers this file started, killed at the end if a failed test left one running. */
const children = new Set<ChildProcess>();
afterAll(() => {
  for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  rmSync(dataDir, { recursive: true, force: true });
});

interface Running {
  child: ChildProcess;
  url: string;
  exited: Promise<{ code: number | null; ms: number }>;
  signal(name: NodeJS.Signals): number;
}

/** Runs `src/server/main.ts serve` as a real process and waits for its "listening on" line. */
async function start(...flags: string[]): Promise<Running> {
  const child = spawn(process.execPath, ['--import', 'tsx', MAIN, 'serve', '--port', '0', '--data-dir', dataDir, '--log-level', 'warn', ...flags], {
    cwd: join(import.meta.dirname, '../..'),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.add(child);
  let signalledAt = 0;
  const exited = new Promise<{ code: number | null; ms: number }>((resolve) => child.once('exit', (code) => resolve({ code, ms: Date.now() - signalledAt })));
  let stderr = '';
  child.stderr!.on('data', (chunk) => (stderr += chunk));
  const url = await new Promise<string>((resolve, reject) => {
    let stdout = '';
    child.stdout!.on('data', (chunk) => {
      stdout += chunk;
      const match = /listening on (http:\/\/\S+)/.exec(stdout);
      if (match) resolve(match[1]);
    });
    void exited.then(({ code }) => reject(new Error(`server exited (${code}) before listening: ${stderr}`)));
  });
  return {
    child,
    url,
    exited,
    signal(name) {
      signalledAt ||= Date.now();
      child.kill(name);
      return signalledAt;
    },
  };
}

const batch = (from: number, n: number) => Array.from({ length: n }, (_, i) => ({ id: `item-${from + i}`, x: input(from + i), y: (from + i) % 10 }));

describe('process lifecycle (real process, real SQLite file)', () => {
  it('SIGTERM drains, writes a shutdown checkpoint and exits 0; a restart resumes the counter', async () => {
    const first = await start('--deadline-ms', '60000');
    const acks = await http(first.url, 'POST', '/v1/models/default/learn', { body: batch(0, 200) });
    expect(acks.body).toHaveLength(200);
    const stream = await StreamClient.open(first.url);

    first.signal('SIGTERM');
    const { code, ms } = await first.exited;
    expect(code).toBe(0);
    expect(ms).toBeLessThan(60_000);
    await expect.poll(() => stream.closeCode).toBe(1001);

    const second = await start();
    const status = (await http(second.url, 'GET', '/v1/models/default')).body;
    expect(status).toMatchObject({ samples: 200, lastSeq: 200, latestCheckpoint: { reason: 'shutdown', samples: 200 } });
    const next = await http(second.url, 'POST', '/v1/models/default/learn', { body: { id: 'after-restart', x: input(999), y: 1 } });
    expect(next.body).toEqual({ op: 'ack', id: 'after-restart', seq: 201 });
    await expect.poll(async () => (await http(second.url, 'GET', '/v1/models/default')).body.samples, { timeout: 30_000 }).toBe(201);
    second.signal('SIGINT');
    expect((await second.exited).code).toBe(0);
  });

  it('a second signal exits at once; every acked item is still in the recording', async () => {
    const running = await start();
    const before = (await http(running.url, 'GET', '/v1/models/default')).body.lastSeq;
    const acks = await http(running.url, 'POST', '/v1/models/default/learn', { body: batch(5000, 100) });
    expect(acks.body).toHaveLength(100);
    // Two different signals: pending signals of one kind coalesce into one delivery.
    running.signal('SIGTERM');
    running.signal('SIGINT');
    const { code, ms } = await running.exited;
    expect([130, 143]).toContain(code);
    expect(ms).toBeLessThan(5000);

    const restarted = await start();
    await expect.poll(async () => (await http(restarted.url, 'GET', '/v1/models/default')).body.samples, { timeout: 60_000 }).toBe(before + 100);
    expect((await http(restarted.url, 'GET', '/v1/models/default')).body.lastSeq).toBe(before + 100);
    restarted.signal('SIGTERM');
    expect((await restarted.exited).code).toBe(0);
  });

  it('refuses a non-loopback host without tokens (exit 2)', async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', MAIN, 'serve', '--host', '0.0.0.0', '--port', '0', '--data-dir', dataDir], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (chunk) => (stderr += chunk));
    const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
    expect(code).toBe(2);
    expect(stderr).toMatch(/--insecure/);
  });
});
