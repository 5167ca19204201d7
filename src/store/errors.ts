/**
 * Machine-readable reasons a store operation failed. A server maps them to responses:
 * `invalid_argument` → 400; `unknown_*` → 404; `duplicate_*` → 409; `expired_prediction` → 410;
 * `schema_too_new` and `corrupt_data` are operator problems (refuse to start / 500).
 */
export type StoreErrorCode =
  | 'invalid_argument'
  | 'duplicate_model'
  | 'unknown_model'
  | 'duplicate_recording'
  | 'unknown_recording'
  | 'live_recording'
  | 'unknown_checkpoint'
  | 'duplicate_prediction'
  | 'unknown_prediction'
  | 'expired_prediction'
  | 'unknown_evaluation'
  | 'schema_too_new'
  | 'corrupt_data';

/** Every error the store throws on purpose; `code` says why, `message` says what and where. */
export class StoreError extends Error {
  override readonly name = 'StoreError';

  /** Creates an error with a {@link StoreErrorCode} and a human-readable message. */
  constructor(
    readonly code: StoreErrorCode,
    message: string,
  ) {
    super(message);
  }
}

/** Builds the `invalid_argument` error: "`where`: expected `expected`, got `value`". */
export function invalidArgument(where: string, expected: string, value: unknown): StoreError {
  return new StoreError('invalid_argument', `${where}: expected ${expected}, got ${describe(value)}`);
}

/** Short, bounded description of a bad value for error messages. */
function describe(value: unknown): string {
  if (value === null) return 'null';
  if (typeof value === 'string') return JSON.stringify(value.length > 80 ? `${value.slice(0, 80)}…` : value);
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') return String(value);
  if (typeof value === 'undefined') return 'undefined';
  if (Array.isArray(value)) return `an array of length ${value.length}`;
  if (ArrayBuffer.isView(value)) return `a ${value.constructor.name}`;
  return `a ${typeof value === 'object' ? (value.constructor?.name ?? 'object') : typeof value}`;
}

/** True when `err` is better-sqlite3's error for the given SQLite extended result code. */
export function isSqliteError(err: unknown, sqliteCode: string): boolean {
  return err instanceof Error && (err as { code?: unknown }).code === sqliteCode;
}
