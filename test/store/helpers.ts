import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach } from 'vitest';
import { openStore, type Store, type StoreOptions } from '../../src/store/index.js';

/**
 * Registers cleanup and returns a factory of fresh store files in per-test temp dirs. Stores
 * opened through `open` are closed and their dirs removed after each test.
 */
export function useTempStores(): { file: (name?: string) => string; open: (file?: string, options?: StoreOptions) => Store } {
  const dirs: string[] = [];
  const stores: Store[] = [];
  afterEach(() => {
    for (const store of stores.splice(0)) store.close();
    for (const dir of dirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
  });
  const file = (name = 'store.db') => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sigprop-store-'));
    dirs.push(dir);
    return path.join(dir, name);
  };
  const open = (f = file(), options: StoreOptions = {}) => {
    const store = openStore(f, options);
    stores.push(store);
    return store;
  };
  return { file, open };
}

/** A clock that starts at `start` ms and moves only when told. */
export function manualClock(start = 1_700_000_000_000): { now: () => number; advance: (ms: number) => void } {
  let t = start;
  return { now: () => t, advance: (ms) => void (t += ms) };
}

/** Runs `fn` and returns the `code` of the error it throws (fails if it does not throw). */
export function errorCode(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    return String((err as { code?: unknown }).code);
  }
  throw new Error('expected an error');
}
