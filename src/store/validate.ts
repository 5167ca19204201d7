import { invalidArgument, StoreError } from './errors.js';

/**
 * Argument checks shared by the repositories. Each returns the value with a narrowed type or
 * throws a {@link StoreError} with code `invalid_argument` naming `where` and what was expected.
 */

/** Model and recording names: safe in URLs, file names and log lines without escaping. */
export const NAME_PATTERN = /^[A-Za-z0-9_-]{1,64}$/;

/** Checks a model or recording name against {@link NAME_PATTERN}. */
export function requireName(where: string, value: unknown): string {
  if (typeof value !== 'string' || !NAME_PATTERN.test(value)) {
    throw invalidArgument(where, `a name matching ${NAME_PATTERN}`, value);
  }
  return value;
}

/** Checks for a safe integer ≥ `min` (ids, counters, times in ms since epoch). */
export function requireInt(where: string, value: unknown, min = 0): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < min) {
    throw invalidArgument(where, `an integer ≥ ${min}`, value);
  }
  return value;
}

/** Like {@link requireInt} but `null`/`undefined` pass through as `null`. */
export function optionalInt(where: string, value: unknown, min = 0): number | null {
  return value === null || value === undefined ? null : requireInt(where, value, min);
}

/** Checks for a number that is not NaN (infinities allowed: a diverged loss is still data). */
function requireNumber(where: string, value: unknown): number {
  if (typeof value !== 'number' || Number.isNaN(value)) throw invalidArgument(where, 'a number', value);
  return value;
}

/** Like {@link requireNumber} but `null`/`undefined` pass through as `null`. */
export function optionalNumber(where: string, value: unknown): number | null {
  return value === null || value === undefined ? null : requireNumber(where, value);
}

/** Checks for a non-empty string of at most `maxLength` characters. */
export function requireString(where: string, value: unknown, maxLength = 256): string {
  if (typeof value !== 'string' || value.length === 0 || value.length > maxLength) {
    throw invalidArgument(where, `a non-empty string of at most ${maxLength} characters`, value);
  }
  return value;
}

/** Like {@link requireString} but `null`/`undefined` pass through as `null`. */
export function optionalString(where: string, value: unknown, maxLength = 256): string | null {
  return value === null || value === undefined ? null : requireString(where, value, maxLength);
}

/** Checks that `value` is one of `allowed`. */
export function requireOneOf<T extends string>(where: string, value: unknown, allowed: readonly T[]): T {
  if (!allowed.includes(value as T)) throw invalidArgument(where, `one of ${allowed.join(', ')}`, value);
  return value as T;
}

/** Checks for a Float32Array (the only input representation the store persists). */
export function requireFloat32(where: string, value: unknown): Float32Array {
  if (!(value instanceof Float32Array)) throw invalidArgument(where, 'a Float32Array', value);
  return value;
}

/** Checks for bytes (a Uint8Array; Node Buffers are Uint8Arrays). */
export function requireBytes(where: string, value: unknown): Uint8Array {
  if (!(value instanceof Uint8Array)) throw invalidArgument(where, 'a Uint8Array', value);
  return value;
}

/** Serialises a plain JSON object (not an array, not null) to text; throws if it cannot. */
export function objectToJson(where: string, value: unknown): string {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw invalidArgument(where, 'a JSON object', value);
  }
  try {
    return JSON.stringify(value);
  } catch (err) {
    // Cycles and BigInts make JSON.stringify throw; report them against the argument.
    throw new StoreError('invalid_argument', `${where}: not serialisable as JSON (${(err as Error).message})`);
  }
}

/** Like {@link objectToJson} but `null`/`undefined` pass through as `null`. */
export function optionalObjectToJson(where: string, value: unknown): string | null {
  return value === null || value === undefined ? null : objectToJson(where, value);
}

/** Parses JSON text written by {@link objectToJson}; `null` stays `null`. */
export function parseJsonObject(text: string | null): Record<string, unknown> | null {
  return text === null ? null : (JSON.parse(text) as Record<string, unknown>);
}
