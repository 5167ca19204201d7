import type { CheckpointInfo as StoredCheckpoint } from '../store/index.js';
import type { CheckpointInfo } from './types.js';

/** The wire/status view of a stored checkpoint (no bytes). */
export function toCheckpointInfo(c: StoredCheckpoint): CheckpointInfo {
  return { id: c.id, step: c.step, samples: c.samples, lastSeq: c.lastSeq, size: c.size, reason: c.reason, createdAt: c.createdAt };
}
