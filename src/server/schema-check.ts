import type { Static, TSchema } from '@sinclair/typebox';
import { TypeCompiler } from '@sinclair/typebox/compiler';
import { ValueErrorType, type ValueError } from '@sinclair/typebox/errors';
import { describe } from '../stream/validate.js';
import { ProtocolError, type ErrorCode } from './errors.js';

/**
 * JSON-schema checks (TypeBox) that answer with protocol error codes instead of generic schema
 * messages, shared by HTTP routes (fastify validator compiler) and WebSocket messages.
 *
 * Code of the first failure: a required property absent → `missing_field`; a NaN/±Infinity where a
 * number was expected (JSON `1e999` parses to Infinity) → `not_finite`; but a schema node annotated
 * with `'x-code'` (e.g. labels: `bad_label`) → that code first; anything else → `bad_shape`.
 */

/** Schema option naming the error code of a failure at that node (e.g. `{ 'x-code': 'bad_label' }`). */
export const CODE_KEYWORD = 'x-code';

/** A compiled check: returns the value typed by the schema or throws a {@link ProtocolError}. */
export type Checker<T> = (value: unknown) => T;

/**
 * Compiles `schema` once; the returned function checks one value.
 * @param where name of the checked value in messages (`body`, `message`, `query`), prefixing paths.
 */
export function compileChecker<T extends TSchema>(schema: T, where: string): Checker<Static<T>> {
  const check = TypeCompiler.Compile(schema);
  return (value: unknown) => {
    if (check.Check(value)) return value;
    const first = check.Errors(value).First();
    throw first ? toProtocolError(first, where, value) : new ProtocolError('bad_shape', `${where} does not match its schema`);
  };
}

/** Turns TypeBox's first error into a precise protocol error (descending into unions). */
function toProtocolError(error: ValueError, where: string, root: unknown, prefix = ''): ProtocolError {
  const path = prefix + error.path;
  if (error.type === ValueErrorType.Union) {
    const variant = error.errors.map((it) => it.First()).find((e) => e !== undefined && !isRootTypeMismatch(e));
    // The variants' errors carry the full path already.
    if (variant) return toProtocolError(variant, where, root, prefix);
  }
  const name = displayPath(where, path);
  const index = Array.isArray(root) ? batchIndex(path) : undefined;
  if (error.type === ValueErrorType.ObjectRequiredProperty) {
    return new ProtocolError('missing_field', `${name} is missing`, index);
  }
  const annotated = (error.schema as Record<string, unknown>)[CODE_KEYWORD] as ErrorCode | undefined;
  if (!annotated && typeof error.value === 'number' && !Number.isFinite(error.value) && isNumeric(error.schema)) {
    return new ProtocolError('not_finite', `${name} is ${error.value}; expected a finite number`, index);
  }
  const got = error.type === ValueErrorType.ObjectAdditionalProperties ? 'not allowed here' : `is ${describe(error.value)}`;
  return new ProtocolError(annotated ?? 'bad_shape', `${name} ${got}; ${lowerFirst(error.message)}`, index);
}

/**
 * A union variant that failed only because the value's JSON type differs (object vs array, or a
 * literal of another type, e.g. 0 against 'auto'): not the intended one.
 */
function isRootTypeMismatch(error: ValueError): boolean {
  if (error.type === ValueErrorType.Literal) return typeof error.value !== typeof (error.schema as { const?: unknown }).const;
  return error.path === '' && (error.type === ValueErrorType.Object || error.type === ValueErrorType.Array);
}

function isNumeric(schema: TSchema): boolean {
  return schema.type === 'number' || schema.type === 'integer';
}

/** `body` + `/3/x/5` → `body[3].x[5]`. */
function displayPath(where: string, pointer: string): string {
  const parts = pointer.split('/').slice(1).map((p) => p.replace(/~1/g, '/').replace(/~0/g, '~'));
  return parts.reduce((acc, part) => (/^\d+$/.test(part) ? `${acc}[${part}]` : `${acc}.${part}`), where);
}

/** Index of the batch item a pointer lies in (`/3/x/5` → 3). */
function batchIndex(pointer: string): number | undefined {
  const match = /^\/(\d+)/.exec(pointer);
  return match ? Number(match[1]) : undefined;
}

function lowerFirst(text: string): string {
  return text.charAt(0).toLowerCase() + text.slice(1);
}
