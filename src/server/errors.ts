import { StreamError, type StreamErrorCode } from '../stream/errors.js';

/**
 * Error codes of the wire protocol (v1): the engine's codes plus those the server itself raises
 * before a message reaches the engine. This file has no Node-only imports so that the client SDK
 * (browser and Node) can share it through `ws/binary.ts`.
 */
export type ErrorCode =
  | StreamErrorCode
  | 'bad_json'
  | 'unknown_op'
  | 'too_large'
  | 'unauthorized'
  | 'forbidden'
  | 'not_found'
  | 'internal';

/** An error the server answers a client with: a protocol `code` and a precise message. */
export class ProtocolError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    /** Position of the offending item in a batch (HTTP array bodies, binary frames). */
    readonly index?: number,
    /** The client's id of the offending item, when it could be read (binary frames). */
    readonly id?: string,
  ) {
    super(message);
    this.name = 'ProtocolError';
  }
}

/** The `{"op":"error"}` reply of both transports (WebSocket frame, HTTP body). */
export interface ErrorReply {
  op: 'error';
  /** The client's id of the message (or of the offending item of a batch), when one was given. */
  id?: string;
  code: ErrorCode;
  message: string;
  index?: number;
}

/**
 * Builds the error reply of a thrown value. Errors without a protocol code are bugs, not client
 * faults: they become `internal` without their message (which may reveal internals).
 */
export function errorReply(thrown: unknown, id?: string): ErrorReply {
  const error = isClientError(thrown) ? thrown : new ProtocolError('internal', 'internal server error');
  const itemId = id ?? (error instanceof ProtocolError ? error.id : undefined);
  return {
    op: 'error',
    ...(itemId !== undefined && { id: itemId }),
    code: error.code,
    message: error.message,
    ...(error.index !== undefined && { index: error.index }),
  };
}

/** True for the errors a client caused or may act on (they carry a protocol code). */
export function isClientError(error: unknown): error is ProtocolError | StreamError {
  return error instanceof ProtocolError || error instanceof StreamError;
}

/**
 * HTTP status of an error code: bad input 400, unauthorized 401, forbidden 403, unknown_* 404,
 * duplicate_model and diverged 409, expired_prediction 410, too_large 413, overloaded 429, closed 503.
 */
export function httpStatus(code: ErrorCode): number {
  switch (code) {
    case 'unauthorized':
      return 401;
    case 'forbidden':
      return 403;
    case 'not_found':
    case 'unknown_model':
    case 'unknown_prediction':
    case 'unknown_checkpoint':
    case 'unknown_recording':
    case 'unknown_evaluation':
      return 404;
    case 'duplicate_model':
    case 'diverged':
      return 409;
    case 'expired_prediction':
      return 410;
    case 'too_large':
      return 413;
    case 'overloaded':
      return 429;
    case 'closed':
      return 503;
    case 'internal':
      return 500;
    default:
      return 400;
  }
}
