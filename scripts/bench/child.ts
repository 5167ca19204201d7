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
