import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { init as initBackend } from '../../src/sigprop/backend/index.js';
import { deserialize, exportTfjs, TFJS_FILES } from '../../src/sigprop/serialize/index.js';
import { openStore, type Checkpoint } from '../../src/store/index.js';
import { SigpropError } from '../ts/index.js';

/** What {@link exportCheckpoint} wrote. */
export interface ExportedCheckpoint {
  id: number;
  model: string;
  step: number;
  samples: number;
  files: string[];
}

/**
 * Exports a checkpoint of the store in `dataDir` to `dir` in the tfjs layers format. The bytes
 * come straight from the SQLite file (WAL: safe while the server runs) because the HTTP API
 * lists checkpoints but does not serve their bytes.
 * @param which a checkpoint id, or `latest` (of `model`).
 * @throws SigpropError `no_store`, `bad_argument`, `unknown_checkpoint`; StoreError for an
 *   unknown checkpoint id or model; CheckpointError for corrupt bytes.
 */
export async function exportCheckpoint(dataDir: string, which: string, model: string, dir: string): Promise<ExportedCheckpoint> {
  const found = readCheckpoint(dataDir, which, model);
  await initBackend();
  const classifier = deserialize(found.bytes);
  await exportTfjs(classifier, dir);
  const files = Object.values(TFJS_FILES).map((file) => join(resolve(dir), file));
  return { id: found.id, model: found.model, step: found.step, samples: found.samples, files };
}

function readCheckpoint(dataDir: string, which: string, model: string): Checkpoint {
  const file = join(dataDir, 'sigprop.db');
  if (!existsSync(file)) throw new SigpropError('no_store', `no store at ${file}; pass the server's --data-dir`);
  if (which !== 'latest' && !/^\d+$/.test(which)) throw new SigpropError('bad_argument', `checkpoint must be an id or 'latest'; got "${which}"`);
  const store = openStore(file);
  try {
    if (which !== 'latest') return store.checkpoints.get(Number(which));
    const latest = store.checkpoints.latest(model);
    if (!latest) throw new SigpropError('unknown_checkpoint', `model '${model}' has no checkpoint yet`);
    return latest;
  } finally {
    store.close();
  }
}
