import { spawn } from 'node:child_process';
import { once } from 'node:events';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { openStore } from '../../src/store/index.js';
import { checkpointBytes, CRASH_MODEL, vectorFor } from './fixtures/crash-data.js';
import { useTempStores } from './helpers.js';

const ROOT = path.resolve(fileURLToPath(import.meta.url), '../../..');
const CHILD = path.join(ROOT, 'test/store/fixtures/crash-child.ts');
const ROUNDS = 5;

/**
 * Runs the child until it has committed something, lets it write for `killAfterMs` more, then
 * SIGKILLs it. Returns the complete lines it printed (a line cut by the kill is dropped).
 */
async function runAndKill(file: string, killAfterMs: number): Promise<string[]> {
  const child = spawn(process.execPath, ['--import', 'tsx', CHILD, file], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stderr.on('data', (chunk: Buffer) => void (err += chunk.toString()));
  const started = new Promise<void>((resolve) => {
    child.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      if (out.includes('\n')) resolve();
    });
    child.on('exit', () => resolve());
  });
  await started;
  await new Promise((resolve) => setTimeout(resolve, killAfterMs));
  child.kill('SIGKILL');
  const [, signal] = (await once(child, 'close')) as [number | null, NodeJS.Signals | null];
  if (signal !== 'SIGKILL') throw new Error(`crash child exited on its own (${String(signal)}): ${err}`);
  return out.split('\n').slice(0, -1);
}

/** Checks the file after a crash against everything the child reported as committed. */
function verify(file: string, committed: Map<number, string>, lastCheckpoint: number | null): number {
  const store = openStore(file);
  try {
    expect(store.integrityCheck()).toBe('ok');
    const recording = store.recordings.live(CRASH_MODEL).id;
    const samples = store.recordings.read(recording);
    expect(samples.map((s) => s.seq)).toEqual(samples.map((_, i) => i + 1)); // no gaps
    // plain comparisons, one assertion: expect() per row would dominate the test's run time
    const lost = [...committed].filter(([seq, clientId]) => {
      const sample = samples[seq - 1];
      return sample?.clientId !== clientId || !Buffer.from(sample.x!.buffer).equals(Buffer.from(vectorFor(clientId).buffer));
    });
    expect(lost).toEqual([]);
    const checkpoints = store.checkpoints.list(CRASH_MODEL);
    expect(checkpoints.length).toBeLessThanOrEqual(2);
    if (lastCheckpoint !== null) expect(checkpoints.map((c) => c.id)).toContain(lastCheckpoint);
    for (const c of checkpoints) {
      expect(Buffer.from(store.checkpoints.get(c.id).bytes).equals(checkpointBytes(c.ordinal))).toBe(true);
    }
    return samples.length;
  } finally {
    store.close();
  }
}

describe('crash safety', () => {
  const tmp = useTempStores();

  it(`every batch reported committed survives SIGKILL, ${ROUNDS} times in a row`, async () => {
    const file = tmp.file();
    const setup = openStore(file);
    setup.models.create(CRASH_MODEL, {});
    setup.close();

    const committed = new Map<number, string>();
    let lastCheckpoint: number | null = null;
    let rows = 0;
    for (let round = 1; round <= ROUNDS; round++) {
      const lines = await runAndKill(file, 100 + Math.floor(Math.random() * 500));
      for (const line of lines) {
        const [what, a, b] = line.split(' ');
        if (what === 'seq') committed.set(Number(a), b);
        else if (what === 'checkpoint') lastCheckpoint = Number(a);
        else throw new Error(`unexpected line from child: ${line}`);
      }
      const stored = verify(file, committed, lastCheckpoint);
      expect(stored).toBeGreaterThan(rows); // each round committed something new
      expect(stored).toBeGreaterThanOrEqual(committed.size);
      rows = stored;
    }
  });
});
