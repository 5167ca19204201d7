/**
 * The schema, as an append-only list of migrations. Migration `i` (0-based) brings a file from
 * `PRAGMA user_version = i` to `i + 1`. Never edit a migration that has shipped: add a new one.
 *
 * Conventions: tables are STRICT (SQLite rejects values of the wrong type instead of storing
 * them); times are INTEGER ms since epoch; JSON is TEXT; Float32 vectors are BLOBs of
 * little-endian bytes; ids shown to clients use AUTOINCREMENT so a deleted id is never reused
 * for something else.
 */
export const MIGRATIONS: readonly string[] = [
  /* 1: initial schema */ `
  CREATE TABLE models (
    name              TEXT PRIMARY KEY,
    config            TEXT NOT NULL,
    -- checkpoint ordinals are never reused, even after deletions, so retention stays stable
    checkpoints_saved INTEGER NOT NULL DEFAULT 0,
    -- kept by the triggers on pending: COUNT(*) costs ~45 ns per row, too slow for every put
    pending_count     INTEGER NOT NULL DEFAULT 0,
    created_at        INTEGER NOT NULL,
    updated_at        INTEGER NOT NULL
  ) STRICT;

  CREATE TABLE recordings (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    model      TEXT NOT NULL REFERENCES models(name) ON DELETE CASCADE,
    name       TEXT NOT NULL,
    live       INTEGER NOT NULL CHECK (live IN (0, 1)),
    created_at INTEGER NOT NULL,
    UNIQUE (model, name)
  ) STRICT;
  CREATE UNIQUE INDEX recordings_one_live ON recordings(model) WHERE live = 1;

  -- The live recording exists exactly as long as its model: creating it in a trigger makes
  -- that hold for every writer, inside the same transaction as the model row.
  CREATE TRIGGER models_live_recording AFTER INSERT ON models BEGIN
    INSERT INTO recordings (model, name, live, created_at) VALUES (NEW.name, 'live', 1, NEW.created_at);
  END;

  CREATE TABLE samples (
    id            INTEGER PRIMARY KEY,
    recording_id  INTEGER NOT NULL REFERENCES recordings(id) ON DELETE CASCADE,
    seq           INTEGER NOT NULL,
    time          INTEGER NOT NULL,
    kind          TEXT NOT NULL CHECK (kind IN ('learn', 'predict', 'label')),
    label         INTEGER,
    prediction_id TEXT,
    client_id     TEXT,
    x             BLOB,
    UNIQUE (recording_id, seq)
  ) STRICT;
  CREATE UNIQUE INDEX samples_client_id ON samples(recording_id, client_id) WHERE client_id IS NOT NULL;

  CREATE TABLE checkpoints (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    model      TEXT NOT NULL REFERENCES models(name) ON DELETE CASCADE,
    ordinal    INTEGER NOT NULL,
    step       INTEGER NOT NULL,
    samples    INTEGER NOT NULL,
    last_seq   INTEGER NOT NULL,
    reason     TEXT NOT NULL,
    size       INTEGER NOT NULL,
    meta       TEXT,
    created_at INTEGER NOT NULL,
    -- last column: listing reads the columns before it without touching the blob's overflow pages
    bytes      BLOB NOT NULL,
    UNIQUE (model, ordinal)
  ) STRICT;

  CREATE TABLE pending (
    prediction_id TEXT PRIMARY KEY,
    model         TEXT NOT NULL REFERENCES models(name) ON DELETE CASCADE,
    step          INTEGER NOT NULL,
    created_at    INTEGER NOT NULL,
    expires_at    INTEGER NOT NULL,
    x             BLOB NOT NULL
  ) STRICT;
  CREATE INDEX pending_model_age ON pending(model, created_at);
  CREATE INDEX pending_expiry ON pending(expires_at);
  CREATE TRIGGER pending_counted AFTER INSERT ON pending BEGIN
    UPDATE models SET pending_count = pending_count + 1 WHERE name = NEW.model;
  END;
  CREATE TRIGGER pending_uncounted AFTER DELETE ON pending BEGIN
    UPDATE models SET pending_count = pending_count - 1 WHERE name = OLD.model;
  END;

  CREATE TABLE metrics (
    id        INTEGER PRIMARY KEY,
    model     TEXT NOT NULL REFERENCES models(name) ON DELETE CASCADE,
    window_no INTEGER NOT NULL,
    time      INTEGER NOT NULL,
    layer     TEXT NOT NULL,
    loss      REAL,
    accuracy  REAL,
    samples   INTEGER NOT NULL,
    extra     TEXT
  ) STRICT;
  CREATE INDEX metrics_model_time ON metrics(model, time);

  CREATE TABLE evaluations (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    model           TEXT NOT NULL REFERENCES models(name) ON DELETE CASCADE,
    -- an evaluation report outlives the recording it replayed
    recording_id    INTEGER REFERENCES recordings(id) ON DELETE SET NULL,
    -- not a foreign key: retention may delete the checkpoint, the report still names it
    from_checkpoint INTEGER,
    speed           REAL,
    config          TEXT NOT NULL,
    status          TEXT NOT NULL CHECK (status IN ('pending', 'running', 'done', 'failed')),
    progress        REAL NOT NULL DEFAULT 0,
    report          TEXT,
    error           TEXT,
    created_at      INTEGER NOT NULL,
    updated_at      INTEGER NOT NULL
  ) STRICT;
  CREATE INDEX evaluations_model ON evaluations(model);
  CREATE INDEX evaluations_recording ON evaluations(recording_id);
  `,
];

/** The schema version this code writes: the number of migrations. */
export const SCHEMA_VERSION = MIGRATIONS.length;
