/** Runs benchmark peers as child processes and reads the JSON line they print. */
import { spawn } from 'node:child_process';

/**
 * Runs `command args` (inheriting stderr, so progress and warnings show), and parses the last
 * line of its standard output that is a JSON object.
 * @throws Error when it exits non-zero or prints no JSON object.
 */
export function runJson<T>(command: string, args: string[], env: NodeJS.ProcessEnv = process.env): Promise<T> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { env, stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => {
      const line = out.trim().split('\n').reverse().find((l) => l.trim().startsWith('{'));
      if (code !== 0) reject(new Error(`${command} ${args.join(' ')} exited with ${code}`));
      else if (line === undefined) reject(new Error(`${command} ${args.join(' ')} printed no JSON line`));
      else resolve(JSON.parse(line) as T);
    });
  });
}

/** A child started ahead of its work: it waits for one line on its standard input. */
export interface WaitingChild<T> {
  /** Sends the line it waits for (e.g. the server's URL once the server is up). */
  go(line: string): void;
  /** Sends it a signal. */
  kill(signal: NodeJS.Signals): void;
  /** The last JSON object line it prints; rejects when it exits non-zero or prints none. */
  result: Promise<T>;
}

/**
 * Starts `command args` now and lets it begin when told: a benchmark that hosts a server in its
 * own process starts its peers before the server loads the native kernels, because OpenBLAS's
 * fork handler can deadlock a process that forks once its threads exist.
 */
export function startWaitingChild<T>(command: string, args: string[]): WaitingChild<T> {
  const child = spawn(command, args, { stdio: ['pipe', 'pipe', 'inherit'] });
  let out = '';
  child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
  const result = new Promise<T>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code, signal) => {
      const line = out.trim().split('\n').reverse().find((l) => l.trim().startsWith('{'));
      if (line !== undefined && (code === 0 || signal === 'SIGTERM')) resolve(JSON.parse(line) as T);
      else reject(new Error(`${command} ${args.join(' ')} exited with ${code ?? signal}${line === undefined ? ' and printed no JSON line' : ''}`));
    });
  });
  // Handled here too: a child killed before it was needed must not be an unhandled rejection.
  result.catch(() => undefined);
  return {
    go: (line) => child.stdin.end(`${line}\n`),
    kill: (signal) => child.kill(signal),
    result,
  };
}
