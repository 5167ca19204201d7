/**
 * Error codes of the wire protocol (v1) that the streaming engine can raise; the server maps
 * them 1:1 to `{"op":"error","code":...}` replies and HTTP statuses.
 */
export type StreamErrorCode =
  | 'bad_shape'
  | 'not_finite'
  | 'bad_label'
  | 'missing_field'
  | 'unknown_model'
  | 'duplicate_model'
  | 'bad_config'
  | 'unknown_prediction'
  | 'expired_prediction'
  | 'unknown_checkpoint'
  | 'unknown_recording'
  | 'unknown_evaluation'
  | 'overloaded'
  | 'too_large'
  | 'diverged'
  | 'closed';

/**
 * An error the engine reports to a client: a protocol `code`, a precise message (what was
 * wrong, where, what was expected) and, for batches, the index of the offending item.
 * State is never changed by a request that fails with a StreamError.
 */
export class StreamError extends Error {
  constructor(
    readonly code: StreamErrorCode,
    message: string,
    readonly index?: number,
  ) {
    super(message);
    this.name = 'StreamError';
  }
}
