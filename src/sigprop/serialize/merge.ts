import { encodeContainer, decodeContainer } from './container.js';
import { checkHeader, type CheckpointHeader, type TensorEntry } from './header.js';
import { CheckpointError } from './errors.js';

/** One classifier's checkpoint and the tensors and optimizers in it that are current. */
export interface OwnedCheckpoint {
  bytes: Uint8Array;
  /** Checkpoint tensor names (`weights/…`, `optimizers/…`) this checkpoint is the source of. */
  tensors: string[];
  /** Optimizer names whose step counts this checkpoint is the source of. */
  optimizers: string[];
}

/**
 * Puts together one checkpoint from several checkpoints of the same model, each current in a
 * different part (the stages of a pipeline, each of which learns only its own layers): every
 * tensor and every optimizer's state and step count comes from the checkpoint that owns it;
 * config, counters and generator state from the last (they are the same in every part). The
 * result is laid out as `serialize` lays out one classifier (weights, then each optimizer).
 * @throws CheckpointError when a tensor or optimizer is owned by none of the parts or by several.
 */
export function mergeCheckpoints(parts: OwnedCheckpoint[]): Uint8Array {
  if (parts.length === 1) return parts[0].bytes;
  const decoded = parts.map((p) => {
    const { header, data } = decodeContainer(p.bytes);
    return { header: checkHeader(header, data.length), data };
  });
  const last = decoded[decoded.length - 1].header;
  const weights = last.tensors.filter((e) => e.name.startsWith('weights/')).map((e) => pick(parts, decoded, e.name));
  const optimizers = last.optimizers.map(({ name }) => decoded[owner(parts, (p) => p.optimizers, name)].header.optimizers.find((o) => o.name === name) as CheckpointHeader['optimizers'][number]);
  // An optimizer's tensors come from its owner's directory: the other parts never stepped it, so
  // their directories may lack its (lazily created) slots.
  const states = optimizers.flatMap(({ name }) => {
    const from = owner(parts, (p) => p.optimizers, name);
    return decoded[from].header.tensors.filter((e) => e.name.startsWith(`optimizers/${name}/`)).map((e) => pick(parts, decoded, e.name));
  });
  let offset = 0;
  const entries = [...weights, ...states].map(({ entry, values }) => {
    const placed = { entry: { ...entry, offset }, values };
    offset += values.length;
    return placed;
  });
  const data = new Uint8Array(offset);
  for (const { entry, values } of entries) data.set(values, entry.offset);
  return encodeContainer({ ...last, optimizers, tensors: entries.map((e) => e.entry) }, data);
}

/** A tensor's directory entry and bytes from the part that owns it. @throws CheckpointError when it has none. */
function pick(parts: OwnedCheckpoint[], decoded: Array<{ header: CheckpointHeader; data: Uint8Array }>, name: string): { entry: TensorEntry; values: Uint8Array } {
  const { header, data } = decoded[owner(parts, (p) => p.tensors, name)];
  const entry = header.tensors.find((e) => e.name === name);
  if (!entry) throw new CheckpointError(`cannot merge checkpoints: the part owning ${name} does not hold it`);
  const size = 4 * entry.shape.reduce((a, b) => a * b, 1);
  return { entry, values: data.subarray(entry.offset, entry.offset + size) };
}

/** The index of the one part owning `name`. @throws CheckpointError when none or several do. */
function owner(parts: OwnedCheckpoint[], names: (p: OwnedCheckpoint) => string[], name: string): number {
  const owners = parts.flatMap((p, i) => (names(p).includes(name) ? [i] : []));
  if (owners.length !== 1) throw new CheckpointError(`cannot merge checkpoints: ${name} is owned by ${owners.length} parts; expected exactly one`);
  return owners[0];
}
