import { StreamError } from './errors.js';

/**
 * Turns a client's input (a JSON array of numbers or a Float32Array) into a Float32Array of
 * exactly `features` finite values.
 * @param where names the item in messages, e.g. `x` or `items[3].x`.
 * @throws StreamError `missing_field` (absent), `bad_shape` (not an array of numbers, or the wrong
 *   length: says expected vs got), `not_finite` (NaN/±Infinity, or beyond float32 range, at index i).
 */
export function decodeInput(raw: unknown, features: number, where = 'x', index?: number): Float32Array {
  if (raw === undefined || raw === null) throw new StreamError('missing_field', `${where} is missing; expected an array of ${features} numbers`, index);
  if (!(raw instanceof Float32Array) && !Array.isArray(raw)) {
    throw new StreamError('bad_shape', `${where} is ${describe(raw)}; expected an array of ${features} numbers`, index);
  }
  if (raw.length !== features) {
    throw new StreamError('bad_shape', `${where} has ${raw.length} values; expected ${features}`, index);
  }
  const x = raw instanceof Float32Array ? raw : new Float32Array(features);
  if (Array.isArray(raw)) {
    for (let i = 0; i < features; i++) {
      const v = raw[i];
      if (typeof v !== 'number') throw new StreamError('bad_shape', `${where}[${i}] is ${describe(v)}; expected a number`, index);
      x[i] = v;
    }
  }
  for (let i = 0; i < features; i++) {
    if (!(Math.abs(x[i]) <= MAX_MAGNITUDE)) {
      const original = Array.isArray(raw) ? raw[i] : x[i];
      const why = !Number.isFinite(original) ? '' : !Number.isFinite(x[i]) ? ' (beyond float32 range)' : ' (its square overflows float32 in the layers)';
      throw new StreamError('not_finite', `${where}[${i}] is ${original}${why}; expected a finite number of magnitude at most ${MAX_MAGNITUDE}`, index);
    }
  }
  return x;
}

/**
 * Largest input magnitude accepted. Learning squares activations (norms, similarities); a value
 * whose square overflows float32 (~1.8e19) would turn one accepted item into infinities that
 * stop the model learning for good, so inputs stay well inside that.
 */
export const MAX_MAGNITUDE = 1e15;

/**
 * Checks a class label.
 * @throws StreamError `missing_field` (absent) or `bad_label` (not an integer in `[0, classes)`).
 */
export function decodeLabel(raw: unknown, classes: number, where = 'y', index?: number): number {
  if (raw === undefined || raw === null) throw new StreamError('missing_field', `${where} is missing; expected an integer label in [0, ${classes - 1}]`, index);
  if (typeof raw !== 'number' || !Number.isInteger(raw) || raw < 0 || raw >= classes) {
    throw new StreamError('bad_label', `${where} is ${describe(raw)}; expected an integer label in [0, ${classes - 1}]`, index);
  }
  return raw;
}

/**
 * Checks an optional client item id (at most 128 characters).
 * @throws StreamError `bad_shape` when it is not a string or too long.
 */
export function decodeClientId(raw: unknown, where = 'id', index?: number): string | undefined {
  if (raw === undefined || raw === null) return undefined;
  if (typeof raw !== 'string' || raw.length === 0 || raw.length > 128) {
    throw new StreamError('bad_shape', `${where} is ${describe(raw)}; expected a string of 1 to 128 characters`, index);
  }
  return raw;
}

/** A short description of a JSON value for error messages. */
export function describe(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return `an array of ${v.length}`;
  if (typeof v === 'string') return `the string ${JSON.stringify(v.length > 32 ? `${v.slice(0, 32)}…` : v)}`;
  if (typeof v === 'object') return 'an object';
  return String(v);
}
