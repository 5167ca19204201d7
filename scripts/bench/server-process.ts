/**
 * The server under test as a child process, as a user starts it
 * (`tsx src/server/main.ts serve --port 0 --data-dir <tmp>` on loopback), in a fresh temporary
 * data dir, with the benchmark's models created; stopped gracefully (SIGTERM) afterwards.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { SigpropApi } from '../../clients/ts/api.js';
import type { BenchModel } from './bench-models.js';

/** A running server child. */
export interface ServerProcess {
  url: string;
  pid: number;
  api: SigpropApi;
  /** Stops it (SIGTERM, then SIGKILL after `graceMs`) and deletes its data dir. */
  stop(graceMs?: number): Promise<void>;
}

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const START_TIMEOUT_MS = 120_000;

/** The command line that starts the server, as the reports print it. */
export const SERVE_COMMAND = 'npx tsx src/server/main.ts serve --port 0 --data-dir <tmp>';

/**
 * Starts a server on `127.0.0.1:0` with a fresh data dir and creates `models` that are not
 * built in.
 * @throws Error when it does not print its address within two minutes or exits first.
 */
export async function startServerProcess(models: readonly BenchModel[], extraArgs: string[] = []): Promise<ServerProcess> {
  const dataDir = mkdtempSync(join(tmpdir(), 'sigprop-bench-'));
  const args = ['--import', 'tsx', 'src/server/main.ts', 'serve', '--host', '127.0.0.1', '--port', '0', '--data-dir', dataDir, '--log-level', 'warn', ...extraArgs];
  const child = spawn(process.execPath, args, { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'] });
  let url: string;
  try {
    url = await listeningUrl(child);
  } catch (error) {
    child.kill('SIGKILL');
    rmSync(dataDir, { recursive: true, force: true });
    throw error;
  }
  const api = new SigpropApi(url);
  for (const model of models) if (!model.builtIn) await api.request('POST', '/v1/models', { name: model.name, config: model.config });
  return { url, pid: child.pid ?? -1, api, stop: (graceMs = 60_000) => stopChild(child, dataDir, graceMs) };
}

/** Resolves with the URL of the `sigprop: listening on URL` line. */
function listeningUrl(child: ChildProcess): Promise<string> {
  return new Promise((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`the server did not start within ${START_TIMEOUT_MS} ms`)), START_TIMEOUT_MS);
    child.stdout?.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const match = out.match(/listening on (\S+)/);
      if (match) {
        clearTimeout(timer);
        resolve(match[1]);
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`the server exited with ${code} before listening`));
    });
  });
}

async function stopChild(child: ChildProcess, dataDir: string, graceMs: number): Promise<void> {
  if (child.exitCode === null && child.signalCode === null) {
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
    await exited;
    clearTimeout(timer);
  }
  rmSync(dataDir, { recursive: true, force: true });
}
