import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStore } from '../../src/store/index.js';
import { init } from '../../src/sigprop/backend/index.js';
import { deserialize } from '../../src/sigprop/serialize/index.js';
import { Engine } from '../../src/stream/engine.js';
import { Random } from '../../src/sigprop/utils/random.js';
import { CRASH_CONFIG, CRASH_MODEL, crashItem } from './fixtures/crash-items.js';
import { BACKEND } from './helpers.js';

const ROOT = path.resolve(fileURLToPath(import.meta.url), '../../..');
const CHILD = path.join(ROOT, 'test/stream/fixtures/crash-child.ts');
const ROUNDS = 10;
const SEED = Number(process.env.CRASH_SEED ?? Date.now() % 1_000_000);

/** What one child process printed before it was killed. */
interface Round {
  round: number;
  ready: { samples: number; lastSeq: number };
  /** clientId → seq of every item the child had an ack for. */
  acked: Map<string, number>;
  resent: Array<{ seq: number; clientId: string; duplicate: boolean }>;
  /** Killed after `ckpt-start` and before its `ckpt-done`. */
  midCheckpoint: boolean;
  /** Lines that are not part of the child's protocol. */
  other: string[];
}

/**
 * Runs one child until it is ready and has acked `afterAcks` items (one of them a delayed label),
 * then SIGKILLs it: at once, or (`onCheckpoint`) at its next `ckpt-start` line, i.e. while that
 * checkpoint is being written.
 */
async function runAndKill(dataDir: string, round: number, afterAcks: number, onCheckpoint: boolean): Promise<Round> {
  const child = spawn(process.execPath, ['--import', 'tsx', CHILD, dataDir, String(round)], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  const result: Round = { round, ready: { samples: -1, lastSeq: -1 }, acked: new Map(), resent: [], midCheckpoint: false, other: [] };
  let stderr = '';
  let partial = '';
  let labels = 0;
  let armed = false;
  let checkpointOpen = false;
  const kill = () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  };
  child.stderr.on('data', (chunk: Buffer) => void (stderr += chunk.toString()));
  child.stdout.on('data', (chunk: Buffer) => {
    const lines = (partial + chunk.toString()).split('\n');
    partial = lines.pop()!;
    for (const line of lines) {
      const [what, a, b, c] = line.split(' ');
      if (what === 'ready') result.ready = { samples: Number(a), lastSeq: Number(b) };
      else if (what === 'ack') {
        result.acked.set(b, Number(a));
        if (b.includes('-L')) labels += 1;
        if (!armed && labels > 0 && result.acked.size >= afterAcks) {
          armed = true;
          if (!onCheckpoint) kill();
        }
      } else if (what === 'resent') result.resent.push({ seq: Number(a), clientId: b, duplicate: c === '1' });
      else if (what === 'ckpt-start') {
        checkpointOpen = true;
        if (armed && onCheckpoint) kill();
      } else if (what === 'ckpt-done') checkpointOpen = false;
      else result.other.push(line); // e.g. a library's banner
    }
  });
  const [code, signal] = await new Promise<[number | null, NodeJS.Signals | null]>((resolve) => child.on('close', (c, s) => resolve([c, s])));
  if (signal !== 'SIGKILL') throw new Error(`round ${round}: the child exited by itself (code ${code}, signal ${signal}): ${stderr}`);
  result.midCheckpoint = armed && onCheckpoint && checkpointOpen;
  return result;
}

/**
 * Checks the data folder with the store alone after a kill: SQLite integrity (WAL file), every acked
 * item recorded (same seq, same input and label), no gaps or repeats, the latest checkpoint
 * loadable and covering exactly the learnable items up to its lastSeq. Returns the recorded
 * learnable (learn and label) items: clientId → seq.
 */
function verifyStore(dataDir: string, acked: Map<string, number>, context: string): Map<string, number> {
  const store = openStore(path.join(dataDir, 'sigprop.db'));
  try {
    expect(store.integrityCheck(), context).toBe('ok');
    expect(store.info().journalMode, context).toBe('wal');
    const samples = store.recordings.read(store.recordings.live(CRASH_MODEL).id);
    expect(samples.map((s) => s.seq), context).toEqual(samples.map((_, i) => i + 1));
    const learnable = samples.filter((s) => s.kind !== 'predict');
    expect(new Set(learnable.map((s) => s.clientId)).size, `${context}: a clientId recorded twice`).toBe(learnable.length);
    const recorded = new Map(learnable.map((s) => [s.clientId!, s.seq]));
    // Predictions are recorded without their client id: a label names its prediction (r3-L7 → r3-P7).
    const predictionClient = new Map(samples.filter((s) => s.kind === 'label').map((s) => [s.predictionId!, s.clientId!.replace('-L', '-P')]));
    // Plain comparisons, one assertion each: an expect() per row would dominate the run time.
    const missing = [...acked].filter(([clientId, seq]) => recorded.get(clientId) !== seq);
    expect(missing, `${context}: acked items not in the recording`).toEqual([]);
    // A prediction never labelled (the kill came first) has nothing left that names its item.
    const named = samples.filter((s) => s.kind !== 'predict' || predictionClient.has(s.predictionId!));
    const wrong = named.filter((s) => {
      const clientId = s.kind === 'predict' ? predictionClient.get(s.predictionId!)! : s.clientId!;
      // A label carries the input of its prediction: r3-L7 labels r3-P7.
      const item = crashItem(s.kind === 'label' ? clientId.replace('-L', '-P') : clientId);
      const kind = clientId.includes('-P') ? 'predict' : clientId.includes('-L') ? 'label' : 'learn';
      const label = s.kind === 'predict' ? null : item.y;
      return s.kind !== kind || s.label !== label || !Buffer.from(s.x!.buffer, s.x!.byteOffset, s.x!.byteLength).equals(Buffer.from(item.x.buffer));
    });
    expect(wrong.map((s) => s.seq), `${context}: recorded items of the wrong kind, input or label`).toEqual([]);

    const checkpoints = store.checkpoints.list(CRASH_MODEL);
    expect(checkpoints.length, context).toBeLessThanOrEqual(CRASH_CONFIG.checkpoint.keepLast);
    const latest = store.checkpoints.latest(CRASH_MODEL);
    if (latest) {
      const model = deserialize(latest.bytes);
      expect({ samples: model.samples, steps: model.steps }, context).toEqual({ samples: latest.samples, steps: latest.step });
      model.dispose();
      // The checkpoint holds exactly the learnable items up to its lastSeq.
      expect(latest.samples, context).toBe(learnable.filter((s) => s.seq <= latest.lastSeq).length);
    }
    return recorded;
  } finally {
    store.close();
  }
}

describe('crash recovery: the recording is the log', () => {
  let dataDir = '';
  beforeAll(async () => {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'sigprop-crash-'));
    await init({ backend: BACKEND });
  });
  afterAll(() => fs.rmSync(dataDir, { recursive: true, force: true }));

  it(`a learner killed with SIGKILL ${ROUNDS} times (some while writing a checkpoint) loses nothing acked and learns every recorded item exactly once (seed ${SEED})`, async () => {
    const random = new Random(SEED);
    const acked = new Map<string, number>();
    let recorded = new Map<string, number>();
    let midCheckpoint = 0;
    for (let round = 1; round <= ROUNDS; round++) {
      const onCheckpoint = round % 2 === 0;
      const run = await runAndKill(dataDir, round, 1 + Math.floor(random.next() * 600), onCheckpoint);
      const context = `seed ${SEED}, round ${round}`;
      // The restart before this round restored the latest checkpoint and re-learned the rest: every recorded item once.
      expect(run.ready.samples, context).toBe(recorded.size);
      // Resends of the previous round's first items: duplicates with their seq if they were recorded, new items if not.
      expect(run.resent, context).toHaveLength(round > 1 ? 3 : 0);
      const wrongResends = run.resent.filter((r) => (recorded.has(r.clientId) ? !r.duplicate || recorded.get(r.clientId) !== r.seq : r.duplicate));
      expect(wrongResends, context).toEqual([]);
      for (const r of run.resent) acked.set(r.clientId, r.seq);
      for (const [clientId, seq] of run.acked) acked.set(clientId, seq);
      if (run.midCheckpoint) midCheckpoint += 1;

      recorded = verifyStore(dataDir, acked, context);
      expect(recorded.size, `${context}: nothing new was recorded`).toBeGreaterThan(run.ready.samples);
      expect([...recorded.keys()].some((id) => id.startsWith(`r${round}-L`)), `${context}: no delayed label recorded`).toBe(true);
      // Recorded in this round but never acked: only items of the last commits, whose acks the kill overtook
      // (4 producers × at most 4 items in flight, and one label).
      const lastAcked = Math.max(run.ready.lastSeq, ...run.acked.values());
      const unacked = [...recorded].filter(([clientId, seq]) => seq > run.ready.lastSeq && !acked.has(clientId)).map(([, seq]) => seq);
      expect(unacked.every((seq) => seq > lastAcked - 24), `${context}: unacked items ${unacked.join(',')} before seq ${lastAcked}`).toBe(true);
    }
    expect(midCheckpoint, 'kills that hit a checkpoint being written').toBeGreaterThanOrEqual(3);

    // A last restart in this process: everything recorded is learned, once.
    const engine = await Engine.open({ dataDir, backend: BACKEND, defaultModel: false });
    try {
      const model = engine.model(CRASH_MODEL);
      await model.drain();
      expect(model.status()).toMatchObject({ samples: recorded.size, queued: 0 });
      expect(recorded.size).toBeGreaterThanOrEqual(acked.size);
    } finally {
      await engine.close();
    }
  }, 300_000);
});
