import { Type, type Static } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';
import { CheckpointError } from './errors.js';

/** Where one tensor's values lie in the data section: row-major float32 little-endian. */
export const TensorEntrySchema = Type.Object(
  {
    /** Stable name: `weights/<parameter path>`, `optimizers/<optimizer>/<scalar>` or `optimizers/<optimizer>/<slot>/<parameter path>`. */
    name: Type.String({ minLength: 1 }),
    dtype: Type.Literal('float32'),
    shape: Type.Array(Type.Integer({ minimum: 0 })),
    /** Byte offset from the start of the data section. */
    offset: Type.Integer({ minimum: 0 }),
  },
  { additionalProperties: false },
);

/** The JSON header of a checkpoint (format version 1). */
export const CheckpointHeaderSchema = Type.Object(
  {
    /** The model config (validated separately, with `parseConfig`). */
    config: Type.Unknown(),
    /** Labelled samples learned and updates made (the classifier's counters). */
    samples: Type.Integer({ minimum: 0 }),
    steps: Type.Integer({ minimum: 0 }),
    /** State of the model's dropout-mask generator. */
    random: Type.Integer({ minimum: 0, maximum: 0xffffffff }),
    /** Every optimizer by name (`classifier.optimizers()` order) and the steps it has taken. */
    optimizers: Type.Array(Type.Object({ name: Type.String({ minLength: 1 }), iterations: Type.Integer({ minimum: 0 }) }, { additionalProperties: false })),
    tensors: Type.Array(TensorEntrySchema),
  },
  { additionalProperties: false },
);

/** One entry of the tensor directory (see {@link TensorEntrySchema}). */
export type TensorEntry = Static<typeof TensorEntrySchema>;
/** A checkpoint's header (see {@link CheckpointHeaderSchema}). */
export type CheckpointHeader = Static<typeof CheckpointHeaderSchema>;

/**
 * Validates a parsed header and its tensor directory against the data section's length.
 * @throws CheckpointError listing every problem by JSON path, a repeated tensor name, or a
 *   tensor lying outside the data section.
 */
export function checkHeader(header: unknown, dataLength: number): CheckpointHeader {
  const problems = [...Value.Errors(CheckpointHeaderSchema, header)].map((e) => `${e.path || '/'}: ${e.message}`);
  if (problems.length > 0) throw new CheckpointError(`invalid header: ${problems.join('; ')}`);
  const checked = header as CheckpointHeader;
  const names = new Set<string>();
  for (const entry of checked.tensors) {
    if (names.has(entry.name)) throw new CheckpointError(`tensor ${entry.name} is stored twice`);
    names.add(entry.name);
    const end = entry.offset + 4 * entry.shape.reduce((a, b) => a * b, 1);
    if (end > dataLength) throw new CheckpointError(`tensor ${entry.name} ends at byte ${end} of a ${dataLength}-byte data section`);
  }
  return checked;
}
