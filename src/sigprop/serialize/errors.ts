/**
 * A checkpoint that cannot be read: not a checkpoint, an unsupported format version, corrupted
 * or truncated bytes, or contents that do not fit the model its config builds. Thrown before
 * any model is handed out.
 */
export class CheckpointError extends Error {
  readonly code = 'bad_checkpoint';

  constructor(message: string) {
    super(`checkpoint: ${message}`);
  }
}
