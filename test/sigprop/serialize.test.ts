import { describe, it, expect, beforeAll } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { fromConfig, toConfig, serialize, deserialize, CheckpointError, type Classifier } from '../../src/index.js';
import { decodeContainer, encodeContainer, FORMAT_VERSION } from '../../src/sigprop/serialize/container.js';
import { checkpointTensors } from '../../src/sigprop/serialize/tensors.js';
import type { CheckpointHeader } from '../../src/sigprop/serialize/header.js';
import { Random } from '../../src/sigprop/utils/random.js';
import { BACKENDS, useBackend } from '../helpers/backends.js';

/** Every checkpointed tensor's raw bits by name (bit-exact comparison, NaN and −0 included). */
function state(c: Classifier): Map<string, Uint32Array> {
  return new Map(checkpointTensors(c).map(({ name, tensor }) => [name, new Uint32Array(Float32Array.from(tensor.dataSync()).buffer)]));
}

/** Names whose bits differ between two states (or that only one has). */
function differences(a: Map<string, Uint32Array>, b: Map<string, Uint32Array>): string[] {
  const names = new Set([...a.keys(), ...b.keys()]);
  return [...names].filter((n) => {
    const [x, y] = [a.get(n), b.get(n)];
    return !x || !y || !Buffer.from(x.buffer).equals(Buffer.from(y.buffer));
  });
}

/** A deterministic batch of `n` inputs of `shape` and labels cycling through `classes`. */
function batch(n: number, shape: number[], classes: number, seed = 3): { x: tf.Tensor; y: tf.Tensor1D } {
  const values = new Random(seed).uniform(n * shape.reduce((a, b) => a * b, 1), 1);
  return { x: tf.tensor(values, [n, ...shape]), y: tf.tensor1d(Array.from({ length: n }, (_, i) => i % classes), 'int32') };
}

/** One learn call; returns the logits' raw bits. */
function step(c: Classifier, x: tf.Tensor, y: tf.Tensor1D): Uint32Array {
  const { logits, loss } = c.learn(x, y);
  const bits = new Uint32Array(Float32Array.from(logits.dataSync()).buffer);
  tf.dispose([logits, loss]);
  return bits;
}

/** Releases a classifier and its optimizer state. */
function release(c: Classifier): void {
  for (const [, optimizer] of c.optimizers()) optimizer.dispose();
  c.dispose();
}

/**
 * Trains `config` for `before` steps, round-trips it, checks that the copy holds the same
 * state, then takes one more step on both and checks that they stay bit-identical.
 */
async function expectExactRoundTrip(config: object, inputShape: number[], before: number, n = 6): Promise<void> {
  const original = fromConfig({ ...config, inputShape });
  const { x, y } = batch(n, inputShape, original.config.classes);
  for (let i = 0; i < before; i++) step(original, x, y);
  const copy = deserialize(await serialize(original));
  expect(toConfig(copy)).toEqual(toConfig(original));
  expect([copy.samples, copy.steps]).toEqual([original.samples, original.steps]);
  expect(copy.built.random.getState()).toBe(original.built.random.getState());
  expect(differences(state(copy), state(original))).toEqual([]);
  expect(step(copy, x, y)).toEqual(step(original, x, y));
  expect(differences(state(copy), state(original))).toEqual([]);
  tf.dispose([x, y]);
  release(original);
  release(copy);
}

/** Rewrites a checkpoint's header (the data section is kept; the checksum is recomputed). */
function withHeader(bytes: Uint8Array, edit: (header: CheckpointHeader) => void): Uint8Array {
  const { header, data } = decodeContainer(bytes);
  edit(header as CheckpointHeader);
  return encodeContainer(header as object, data);
}

const SMALL_MLP = { classes: 3, architecture: { name: 'mlp', numHidden: 16, norm: 'batch', dropout: 0.2 }, loss: { name: 'v14' }, signal: { targets: 'per-sample' } };

describe.each(BACKENDS)('checkpoints on %s', (backend) => {
  beforeAll(async () => {
    await useBackend(backend);
  });

  describe('round trip', () => {
    it('an mlp with Adam, dropout and batch norm: same state, and the next step is bit-identical', async () => {
      await expectExactRoundTrip(SMALL_MLP, [6, 6, 1], 2);
    });

    it.each([
      { kind: 'sgd', lr: 0.05 },
      { kind: 'momentum', lr: 0.05, momentum: 0.8, weightDecay: 1e-3 },
      { kind: 'adam', lr: 1e-3, weightDecay: 1e-4 },
    ])('the $kind optimizer state', async (optimizer) => {
      await expectExactRoundTrip({ classes: 4, architecture: { name: 'mlp', numHidden: 8, numLayers: 1 }, optimizer }, [10], 2, 4);
    });

    it('a checkpoint taken before the first step (no optimizer slots yet)', async () => {
      await expectExactRoundTrip({ ...SMALL_MLP, signal: { kind: 'projection-context', targets: 'per-sample' } }, [12], 0);
    });

    it('a vgg6 in fine mode with batch norm and average pooling', async () => {
      const signal = backend === 'wasm' ? { kind: 'projection-context-input' } : { kind: 'projection-context' };
      const arch = { name: 'vgg6', featMult: 1 / 32, numHidden: 8, norm: 'batch', pool: 'avg', wrap: 'fine', dropout: 0.1 };
      await expectExactRoundTrip({ classes: 4, architecture: arch, signal }, [16, 16, 3], 2, 4);
    });

    it('snapshots the model when called: a learn while the values are read does not leak in', async () => {
      const c = fromConfig({ ...SMALL_MLP, inputShape: [12] });
      const expected = state(c);
      const { x, y } = batch(4, [12], 3);
      const pending = serialize(c);
      step(c, x, y);
      const copy = deserialize(await pending);
      expect(differences(state(copy), expected)).toEqual([]);
      expect([copy.samples, copy.steps]).toEqual([0, 0]);
      tf.dispose([x, y]);
      release(c);
      release(copy);
    });
  });

  describe('format', () => {
    it('is a versioned container with stable tensor names: equal models give equal bytes', async () => {
      const a = fromConfig({ ...SMALL_MLP, inputShape: [12] });
      const b = fromConfig({ ...SMALL_MLP, inputShape: [12] });
      const { x, y } = batch(4, [12], 3);
      step(a, x, y);
      step(b, x, y);
      const bytes = await serialize(a);
      expect(Buffer.from(await serialize(b)).equals(Buffer.from(bytes))).toBe(true);
      expect(Array.from(bytes.subarray(0, 8))).toEqual([0x89, 0x53, 0x50, 0x43, 0x4b, 0x0d, 0x0a, 0x1a]);
      expect(new DataView(bytes.buffer, bytes.byteOffset).getUint32(8, true)).toBe(FORMAT_VERSION);
      const header = decodeContainer(bytes).header as CheckpointHeader;
      expect(header).toMatchObject({ samples: 4, steps: 1, config: toConfig(a) });
      expect(header.optimizers).toEqual(['signal', 'hidden1', 'hidden2', 'output'].map((name) => ({ name, iterations: 1 })));
      const names = header.tensors.map((t) => t.name);
      expect(names).toContain('weights/network.0.module.0.kernel');
      expect(names).toContain('weights/network.0.module.1.gamma');
      expect(names).toContain('optimizers/hidden1/m/network.0.module.0.kernel');
      expect(names).toContain('optimizers/output/accBeta2');
      expect(header.tensors.find((t) => t.name === 'optimizers/hidden1/v/network.0.module.0.kernel')).toMatchObject({ dtype: 'float32', shape: [16, 16] });
      tf.dispose([x, y]);
      release(a);
      release(b);
    });
  });

  describe('rejects bad bytes with a clear error and builds nothing', () => {
    let bytes: Uint8Array;

    beforeAll(async () => {
      const c = fromConfig({ ...SMALL_MLP, inputShape: [12] });
      const { x, y } = batch(4, [12], 3);
      step(c, x, y);
      bytes = await serialize(c);
      tf.dispose([x, y]);
      release(c);
    });

    const flip = (at: (b: Uint8Array) => number) => (b: Uint8Array) => {
      const copy = b.slice();
      copy[at(copy)] ^= 0x10;
      return copy;
    };
    const cases: Array<[string, (b: Uint8Array) => Uint8Array, RegExp]> = [
      ['a flipped bit in the data', flip((b) => b.length - 100), /corrupted: checksum/],
      ['a flipped bit in the header', flip(() => 40), /corrupted: checksum/],
      ['truncated bytes', (b) => b.subarray(0, b.length - 1000), /truncated: \d+ bytes where the prelude announces \d+/],
      ['a few bytes', (b) => b.subarray(0, 10), /not a sigprop checkpoint/],
      ['trailing bytes', (b) => Uint8Array.from([...b, 0]), /trailing bytes/],
      ['another file type', (b) => Uint8Array.from(b, (v, i) => (i === 1 ? 0x50 : v)), /not a sigprop checkpoint/],
      ['another format version', (b) => (new DataView(b.buffer).setUint32(8, 2, true), b), /format version 2 is not supported; this build reads version 1/],
      ['a config that builds other shapes', (b) => withHeader(b, (h) => ((h.config as { architecture: { numHidden: number } }).architecture.numHidden = 24)), /weights do not match the model the config builds: weights\/.* has shape \[12, 16\]; the config builds \[12, 24\]/],
      ['an invalid config', (b) => withHeader(b, (h) => ((h.config as { classes: number }).classes = 1)), /its config is invalid: .*\/classes/],
      ['a missing weight', (b) => withHeader(b, (h) => (h.tensors = h.tensors.filter((t) => t.name !== 'weights/network.2.module.bias'))), /weights\/network\.2\.module\.bias is missing/],
      ['a tensor the model does not have', (b) => withHeader(b, (h) => (h.tensors[h.tensors.length - 1].name = 'optimizers/hidden9/m/x')), /tensors the model does not have: optimizers\/hidden9\/m\/x/],
      ['another optimizer list', (b) => withHeader(b, (h) => h.optimizers.pop()), /optimizers \[signal, hidden1, hidden2\] do not match the model's \[signal, hidden1, hidden2, output\]/],
      ['a slot of the wrong shape', (b) => withHeader(b, (h) => swapSlotShapes(h)), /slot m\[0\] has shape/],
      ['a malformed header', (b) => withHeader(b, (h) => ((h as { samples: unknown }).samples = -1)), /invalid header: \/samples/],
    ];

    it.each(cases)('%s', (_, corrupt, message) => {
      const broken = corrupt(bytes.slice());
      const tensors = tf.memory().numTensors;
      let error: unknown;
      try {
        deserialize(broken);
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(CheckpointError);
      expect((error as CheckpointError).code).toBe('bad_checkpoint');
      expect((error as Error).message).toMatch(message);
      expect(tf.memory().numTensors).toBe(tensors);
    });
  });
});

/** Points the output optimizer's first `m` slot at the output bias instead of its kernel (and vice versa). */
function swapSlotShapes(header: CheckpointHeader): void {
  const slots = header.tensors.filter((t) => t.name.startsWith('optimizers/output/m/'));
  const [kernel, bias] = [slots[0].name, slots[1].name];
  slots[0].name = bias;
  slots[1].name = kernel;
}
