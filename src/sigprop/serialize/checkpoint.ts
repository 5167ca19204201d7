import * as tf from '@tensorflow/tfjs';
import type { Classifier } from '../classifier/classifier.js';
import { fromConfig } from '../config/from-config.js';
import { ConfigError } from '../config/parse.js';
import { encodeContainer, decodeContainer } from './container.js';
import { checkHeader, type CheckpointHeader, type TensorEntry } from './header.js';
import { checkpointTensors, restoreTensors, type NamedTensor } from './tensors.js';
import { CheckpointError } from './errors.js';

/**
 * Saves a classifier as a self-contained checkpoint: its config, every model variable (weights
 * and norm statistics), every optimizer's state (Adam moments and accumulated β powers,
 * momentum buffers, step counts), the learned-sample and update counters and the dropout
 * generator's state, in the versioned binary container of `container.ts` (tensors float32
 * little-endian, CRC-32 over everything). A classifier restored with {@link deserialize} takes
 * bit-identical training steps.
 *
 * Async because tensor values are read with `tensor.data()`; the snapshot itself is taken
 * synchronously when called, so a `learn` that runs while the values are read does not leak
 * into the checkpoint.
 */
export async function serialize(model: Classifier): Promise<Uint8Array> {
  const snapshot = checkpointTensors(model).map(({ name, tensor }) => ({ name, tensor: tensor.clone() }));
  const header: CheckpointHeader = {
    config: structuredClone(model.config),
    samples: model.samples,
    steps: model.steps,
    random: model.built.random.getState(),
    optimizers: model.optimizers().map(([name, optimizer]) => ({ name, iterations: optimizer.iterations })),
    tensors: directory(snapshot),
  };
  try {
    return encodeContainer(header, await tensorData(snapshot, header.tensors));
  } finally {
    tf.dispose(snapshot.map((s) => s.tensor));
  }
}

/**
 * Rebuilds a classifier from {@link serialize}'s bytes. Every check (signature, format version,
 * length, checksum, header, config, tensor names and shapes against the model the config
 * builds) happens before the classifier is handed out; on any failure the partly built
 * classifier is released and nothing is returned.
 * @throws CheckpointError (code `bad_checkpoint`) saying what is wrong.
 */
export function deserialize(bytes: Uint8Array): Classifier {
  const { header: raw, data } = decodeContainer(bytes);
  const header = checkHeader(raw, data.length);
  const classifier = build(header.config);
  let tensors = new Map<string, tf.Tensor>();
  try {
    tensors = readTensors(data, header.tensors);
    restoreTensors(classifier, tensors, new Map(header.optimizers.map((o) => [o.name, o.iterations])));
    classifier.samples = header.samples;
    classifier.steps = header.steps;
    classifier.built.random.setState(header.random);
    return classifier;
  } catch (error) {
    release(classifier);
    throw error;
  } finally {
    tf.dispose([...tensors.values()]);
  }
}

/** Byte offsets of the tensors, one after the other. */
function directory(tensors: NamedTensor[]): TensorEntry[] {
  let offset = 0;
  return tensors.map(({ name, tensor }) => {
    const entry: TensorEntry = { name, dtype: 'float32', shape: [...tensor.shape], offset };
    offset += 4 * tensor.size;
    return entry;
  });
}

/** The data section: every tensor's values as float32 little-endian at its offset. */
async function tensorData(tensors: NamedTensor[], entries: TensorEntry[]): Promise<Uint8Array> {
  const bytes = new Uint8Array(tensors.reduce((n, t) => n + 4 * t.tensor.size, 0));
  const view = new DataView(bytes.buffer);
  for (const [i, { tensor }] of tensors.entries()) {
    const values = await tensor.data<'float32'>();
    const base = entries[i].offset;
    for (let j = 0; j < values.length; j++) view.setFloat32(base + 4 * j, values[j], true);
  }
  return bytes;
}

/** The directory's tensors read from the data section, by name (in directory order). */
function readTensors(data: Uint8Array, entries: TensorEntry[]): Map<string, tf.Tensor> {
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  return new Map(
    entries.map(({ name, shape, offset }) => {
      const values = new Float32Array(shape.reduce((a, b) => a * b, 1));
      for (let j = 0; j < values.length; j++) values[j] = view.getFloat32(offset + 4 * j, true);
      return [name, tf.tensor(values, shape, 'float32')];
    }),
  );
}

/** The classifier the stored config builds. @throws CheckpointError when the config is invalid. */
function build(config: unknown): Classifier {
  try {
    return fromConfig(config);
  } catch (error) {
    if (error instanceof ConfigError) throw new CheckpointError(`its config is invalid: ${error.message}`);
    throw error;
  }
}

/** Releases a classifier's variables and optimizer state. */
function release(classifier: Classifier): void {
  for (const [, optimizer] of classifier.optimizers()) optimizer.dispose();
  classifier.dispose();
}
