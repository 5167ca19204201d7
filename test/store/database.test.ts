import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { migrate, userVersion } from '../../src/store/database.js';
import { openStore, SCHEMA_VERSION, StoreError } from '../../src/store/index.js';
import { useTempStores } from './helpers.js';

describe('database: open, pragmas, migrations', () => {
  const tmp = useTempStores();

  it('creates the file (and missing parent dirs) with WAL, FULL sync, foreign keys and the schema', () => {
    const file = path.join(path.dirname(tmp.file()), 'nested', 'dir', 'store.db');
    const info = tmp.open(file).info();
    expect(fs.existsSync(file)).toBe(true);
    expect(info).toMatchObject({
      path: file,
      schemaVersion: SCHEMA_VERSION,
      journalMode: 'wal',
      synchronous: 'FULL',
      foreignKeys: true,
      busyTimeoutMs: 5000,
    });
    expect(info.sizeBytes).toBeGreaterThan(0);
    const raw = new Database(file, { readonly: true });
    expect(raw.pragma('page_size', { simple: true })).toBe(16384);
    raw.close();
  });

  it('honours synchronous NORMAL and busyTimeoutMs, and rejects bad options before creating a file', () => {
    expect(tmp.open(undefined, { synchronous: 'NORMAL', busyTimeoutMs: 250 }).info()).toMatchObject({
      synchronous: 'NORMAL',
      busyTimeoutMs: 250,
    });
    const file = tmp.file();
    expect(() => openStore(file, { synchronous: 'OFF' as 'FULL' })).toThrow(/openStore synchronous: expected one of FULL, NORMAL/);
    expect(() => openStore(file, { busyTimeoutMs: -1 })).toThrow(StoreError);
    expect(fs.existsSync(file)).toBe(false);
  });

  it('applies migrations once; re-opening is idempotent and keeps the data', () => {
    const file = tmp.file();
    const first = openStore(file);
    first.models.create('m', { a: 1 });
    first.close();
    const again = tmp.open(file);
    expect(again.info().schemaVersion).toBe(SCHEMA_VERSION);
    expect(again.models.list().map((m) => m.name)).toEqual(['m']);
    expect(again.integrityCheck()).toBe('ok');
  });

  it('migrate() applies only the missing migrations, in order, and rolls back a failing one', () => {
    const db = new Database(tmp.file());
    try {
      const steps = ['CREATE TABLE log (v INTEGER)', 'INSERT INTO log VALUES (2)', 'INSERT INTO log VALUES (3)'];
      expect(migrate(db, steps.slice(0, 2))).toBe(2);
      expect(migrate(db, steps.slice(0, 2))).toBe(0);
      expect(migrate(db, steps)).toBe(1);
      expect(db.prepare('SELECT v FROM log ORDER BY rowid').pluck().all()).toEqual([2, 3]);
      expect(() => migrate(db, [...steps, 'INSERT INTO log VALUES (4)', 'NOT SQL'])).toThrow();
      expect(userVersion(db)).toBe(3);
      expect(db.prepare('SELECT COUNT(*) FROM log').pluck().get()).toBe(2);
    } finally {
      db.close();
    }
  });

  it('refuses a file written by a newer schema with schema_too_new', () => {
    const file = tmp.file();
    openStore(file).close();
    const raw = new Database(file);
    raw.pragma(`user_version = ${SCHEMA_VERSION + 1}`);
    raw.close();
    let error: unknown;
    try {
      openStore(file);
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(StoreError);
    expect(error).toMatchObject({ code: 'schema_too_new' });
    expect((error as Error).message).toContain(`schema version ${SCHEMA_VERSION + 1} is newer than this code supports (${SCHEMA_VERSION})`);
  });

  it('fails clearly on a file that is not a database', () => {
    const file = tmp.file();
    fs.writeFileSync(file, 'not a database, just text that is long enough to fill a header '.repeat(10));
    expect(() => openStore(file)).toThrow(/not a database/);
  });

  it('integrityCheck reports broken foreign keys', () => {
    const file = tmp.file();
    openStore(file).close();
    const raw = new Database(file);
    raw.pragma('foreign_keys = OFF'); // better-sqlite3 turns them on by default; write an orphan
    raw.prepare(`INSERT INTO metrics (model, window_no, time, layer, samples) VALUES ('ghost', 0, 0, 'x', 0)`).run();
    raw.close();
    const problems = tmp.open(file).integrityCheck();
    expect(problems).toEqual(['metrics row 1 references a missing models row']);
  });

  it('close() is idempotent', () => {
    const store = tmp.open();
    store.close();
    store.close();
    expect(store.open).toBe(false);
  });
});
