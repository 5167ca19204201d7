import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import path from 'node:path';
import { openStore } from '../../src/store/index.js';
import { WalSync } from '../../src/store/wal-sync.js';
import { GroupCommit } from '../../src/stream/group-commit.js';
import { useTempStores } from './helpers.js';

describe('store: fsync off the event loop (syncOffThread)', () => {
  const tmp = useTempStores();

  it('commits with synchronous NORMAL and makes them durable through the WAL fsync', async () => {
    const file = tmp.file();
    const store = tmp.open(file, { syncOffThread: true });
    expect(store.info().synchronous).toBe('NORMAL');
    store.models.create('m', { a: 1 });
    expect(fs.existsSync(`${file}-wal`)).toBe(true);
    await expect(store.durable()).resolves.toBeUndefined();
    const again = openStore(file);
    expect(again.models.get('m').config).toEqual({ a: 1 });
    again.close();
  });

  it('resolves concurrent syncs in call order, each after one that started later than its call', async () => {
    const store = tmp.open(undefined, { syncOffThread: true });
    store.models.create('m', {});
    const order: number[] = [];
    await Promise.all(Array.from({ length: 20 }, (_, i) => store.durable().then(() => order.push(i))));
    expect(order).toEqual(Array.from({ length: 20 }, (_, i) => i));
  });

  it('is immediate for a store that syncs on commit or lives in memory', async () => {
    await expect(tmp.open().durable()).resolves.toBeUndefined();
    const memory = openStore(':memory:', { syncOffThread: true });
    await expect(memory.durable()).resolves.toBeUndefined();
    memory.close();
  });

  it('group commit: hooks run after the fsync, in submission order across commits; a failing job rejects alone', async () => {
    const store = tmp.open(undefined, { syncOffThread: true });
    const commit = new GroupCommit(store);
    const events: string[] = [];
    const first = commit.submit(() => store.models.create('a', {}), () => events.push('a'));
    const bad = commit.submit(() => store.models.create('a', {})).catch((error: { code?: string }) => error.code);
    void commit.flush();
    const second = commit.submit(() => store.models.create('b', {}), () => events.push('b'));
    await commit.flush();
    await Promise.all([first, second]);
    expect(await bad).toBe('duplicate_model');
    expect(events).toEqual(['a', 'b']);
    expect(store.models.list().map((m) => m.name)).toEqual(['a', 'b']);
  });

  it('a failed fsync fails every later sync too (Linux may have dropped the pages)', async () => {
    const dir = path.dirname(tmp.file());
    const sync = new WalSync(dir);
    await expect(sync.sync()).rejects.toThrow(/fsync of .* failed/);
    await expect(sync.sync()).rejects.toThrow(/fsync of .* failed/);
    await sync.close();
  });

  it('group commit after a failed fsync: the committed work takes effect (hooks run) but no job resolves', async () => {
    const store = tmp.open(undefined, { syncOffThread: true });
    store.durable = () => Promise.reject(new Error('EIO'));
    const commit = new GroupCommit(store);
    const hooks: string[] = [];
    const job = commit.submit(() => store.models.create('m', {}), () => hooks.push('m')).catch((error: Error) => error.message);
    await commit.flush();
    expect(await job).toBe('EIO');
    expect(hooks).toEqual(['m']);
    expect(store.models.list().map((m) => m.name)).toEqual(['m']);
  });
});
