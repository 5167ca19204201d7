import fs from 'node:fs';
import type { Worker } from 'node:worker_threads';
import { describe, expect, it } from 'vitest';
import { openStore, type Store } from '../../src/store/index.js';
import { GroupCommit } from '../../src/stream/group-commit.js';
import { useTempStores } from './helpers.js';

/** The connection's automatic-checkpoint size (0: off). */
function autoCheckpoint(store: Store): number {
  return (store as unknown as { db: { pragma(s: string, o: object): number } }).db.pragma('wal_autocheckpoint', { simple: true });
}

/** 16 learn samples of 784 floats (~50 KB, a few WAL pages). */
function samples(from: number) {
  return Array.from({ length: PER_ROUND }, (_, i) => ({ time: 1, kind: 'learn' as const, x: new Float32Array(784).fill(from + i), label: 1, clientId: `c${from + i}` }));
}

const PER_ROUND = 16;

describe('store: WAL checkpoints in a thread of their own (syncOffThread)', () => {
  const tmp = useTempStores();

  it('commits never checkpoint; the thread copies the WAL, and under a steady stream of group commits the WAL stays bounded', async () => {
    const file = tmp.file();
    const store = tmp.open(file, { syncOffThread: true });
    expect(autoCheckpoint(store)).toBe(0);
    store.models.create('m', {});
    const recording = store.recordings.live('m');
    const commit = new GroupCommit(store);
    const rounds = 2500;
    for (let round = 0; round < rounds; round++) {
      void commit.submit(() => store.recordings.append(recording.id, samples(round * PER_ROUND)));
      await new Promise((resolve) => setTimeout(resolve, 1));
    }
    await commit.flush();
    // ~125 MB went through the WAL; without restarts the file would hold all of it.
    const written = rounds * PER_ROUND * 784 * 4;
    expect(fs.statSync(`${file}-wal`).size).toBeLessThan(written / 1.5);
    expect(store.recordings.lastSeq(recording.id)).toBe(rounds * PER_ROUND);
    const copied = await store.checkpointWal();
    expect(copied).toMatchObject({ walFrames: expect.any(Number), copied: expect.any(Number) });
    expect(copied!.copied).toBe(copied!.walFrames);
    store.close();
    const again = openStore(file);
    expect(again.integrityCheck()).toBe('ok');
    expect(again.recordings.lastSeq(recording.id)).toBe(rounds * PER_ROUND);
    again.close();
  }, 60_000);

  it('a store without the thread (default, or in memory) checkpoints within its commits and has nothing to ask', async () => {
    const store = tmp.open();
    expect(autoCheckpoint(store)).toBeGreaterThan(0);
    await expect(store.checkpointWal()).resolves.toBeNull();
    const memory = openStore(':memory:', { syncOffThread: true });
    await expect(memory.checkpointWal()).resolves.toBeNull();
    memory.close();
  });

  it('if the thread dies, commits checkpoint again by themselves (with a warning), so the WAL cannot grow without bound', async () => {
    const store = tmp.open(undefined, { syncOffThread: true });
    const warnings: string[] = [];
    const onWarning = (w: Error) => warnings.push(w.message);
    process.on('warning', onWarning);
    try {
      await (store as unknown as { checkpointer: { worker: Worker } }).checkpointer.worker.terminate();
      await expect.poll(() => autoCheckpoint(store)).toBe(1000);
      await expect.poll(() => warnings.join()).toMatch(/WAL checkpoints of .* moved back into the commits: the checkpoint thread exited/);
      await expect(store.checkpointWal()).resolves.toBeNull();
      store.models.create('m', {});
      expect(store.models.get('m').name).toBe('m');
    } finally {
      process.off('warning', onWarning);
    }
  });
});
