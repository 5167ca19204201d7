import { invalidArgument } from './errors.js';
import { decodeFloat32, encodeFloat32 } from './float32.js';
import { optionalInt, optionalString, requireFloat32, requireInt, requireOneOf, requireString } from './validate.js';

/** What a recorded item was: a labelled sample, a prediction request, or a delayed label. */
export type SampleKind = 'learn' | 'predict' | 'label';

/** All sample kinds, in a fixed order. */
export const SAMPLE_KINDS: readonly SampleKind[] = ['learn', 'predict', 'label'];

/**
 * An item to append to a recording.
 * - `time`: when it was accepted, ms since epoch (integer).
 * - `x`: the input; required for `learn` and `predict`, usually null for `label` (the input of a
 *   delayed label lives with the pending prediction).
 * - `label`: class index; required for `learn` and `label`.
 * - `predictionId`: the prediction a `label` item refers to (required then), or the id given to a
 *   `predict` item.
 * - `clientId`: the client's id for the item; unique per recording, it makes a resend after a
 *   reconnect idempotent.
 */
export interface SampleInput {
  time: number;
  kind: SampleKind;
  x?: Float32Array | null;
  label?: number | null;
  predictionId?: string | null;
  clientId?: string | null;
}

/** A recorded item; `seq` is its position in the recording (1, 2, 3, … without gaps). */
export interface Sample {
  seq: number;
  time: number;
  kind: SampleKind;
  x: Float32Array | null;
  label: number | null;
  predictionId: string | null;
  clientId: string | null;
}

/** The bind values of one `samples` row, in column order (time, kind, label, prediction_id, client_id, x). */
export type SampleBinding = [number, SampleKind, number | null, string | null, string | null, Buffer | null];

/** A `samples` row as SELECTed by the recordings repository. */
export interface SampleRow {
  seq: number;
  time: number;
  kind: SampleKind;
  label: number | null;
  prediction_id: string | null;
  client_id: string | null;
  x: Buffer | null;
}

/** Column list matching {@link SampleRow}. */
export const SAMPLE_COLUMNS = 'seq, time, kind, label, prediction_id, client_id, x';

/**
 * Validates one item and returns its bind values.
 * @param where e.g. `recordings.append(3) items[7]`, prefixed to error messages.
 * @throws StoreError `invalid_argument`.
 */
export function toSampleBinding(where: string, item: SampleInput): SampleBinding {
  if (typeof item !== 'object' || item === null) throw invalidArgument(where, 'a sample object', item);
  const kind = requireOneOf(`${where}.kind`, item.kind, SAMPLE_KINDS);
  const time = requireInt(`${where}.time`, item.time);
  const x = kind === 'label' && item.x == null ? null : requireFloat32(`${where}.x`, item.x);
  const label = kind === 'predict' ? optionalInt(`${where}.label`, item.label) : requireInt(`${where}.label`, item.label);
  const predictionId =
    kind === 'label'
      ? requireString(`${where}.predictionId`, item.predictionId)
      : optionalString(`${where}.predictionId`, item.predictionId);
  const clientId = optionalString(`${where}.clientId`, item.clientId);
  return [time, kind, label, predictionId, clientId, x === null ? null : encodeFloat32(x)];
}

/** Turns a SELECTed row into a {@link Sample} (copying `x` into a fresh Float32Array). */
export function toSample(row: SampleRow): Sample {
  return {
    seq: row.seq,
    time: row.time,
    kind: row.kind,
    x: row.x === null ? null : decodeFloat32(row.x, `sample seq ${row.seq}`),
    label: row.label,
    predictionId: row.prediction_id,
    clientId: row.client_id,
  };
}
