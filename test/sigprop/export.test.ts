import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fromConfig, exportTfjs, type Classifier } from '../../src/index.js';
import { Random } from '../../src/sigprop/utils/random.js';
import { BACKENDS, useBackend } from '../helpers/backends.js';

/** Loads `model.json` + `weights.bin` from `dir` with tfjs's own artifact reader (what `file://` would do). */
async function loadExported(dir: string): Promise<tf.LayersModel> {
  const modelJson = JSON.parse(await readFile(join(dir, 'model.json'), 'utf8')) as tf.io.ModelJSON;
  const load = async (): Promise<tf.io.ModelArtifacts> =>
    tf.io.getModelArtifactsForJSON(modelJson, async (manifest) => {
      const [group] = manifest;
      const file = await readFile(join(dir, group.paths[0]));
      return [group.weights, file.buffer.slice(file.byteOffset, file.byteOffset + file.byteLength)];
    });
  return tf.loadLayersModel({ load });
}

/** A deterministic batch of `n` inputs of `shape` and labels cycling through `classes`. */
function batch(n: number, shape: number[], classes: number, seed = 11): { x: tf.Tensor; y: tf.Tensor1D } {
  const values = new Random(seed).uniform(n * shape.reduce((a, b) => a * b, 1), 1);
  return { x: tf.tensor(values, [n, ...shape]), y: tf.tensor1d(Array.from({ length: n }, (_, i) => i % classes), 'int32') };
}

function train(c: Classifier, x: tf.Tensor, y: tf.Tensor1D, steps: number): void {
  for (let i = 0; i < steps; i++) tf.dispose(Object.values(c.learn(x, y)));
}

describe.each(BACKENDS)('tfjs layers export on %s', (backend) => {
  let dir: string;

  beforeAll(async () => {
    await useBackend(backend);
    dir = await mkdtemp(join(tmpdir(), 'sigprop-export-'));
  });

  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  /**
   * Trains `config` for `steps` steps, exports it, loads the files back with
   * `tf.loadLayersModel` and checks that both predict the same classes (and nearly the same logits).
   */
  async function expectSamePredictions(config: { inputShape: number[] } & Record<string, unknown>, steps: number, n = 8): Promise<tf.LayersModel> {
    const c = fromConfig(config);
    const { x, y } = batch(n, config.inputShape, c.config.classes);
    train(c, x, y, steps);
    await exportTfjs(c, dir);
    const loaded = await loadExported(dir);
    const ours = c.predict(x);
    const theirs = loaded.predict(x) as tf.Tensor;
    expect(theirs.shape).toEqual(ours.shape);
    expect(Array.from(theirs.argMax(1).dataSync())).toEqual(Array.from(ours.argMax(1).dataSync()));
    const scale = Math.max(1, tf.max(tf.abs(ours)).dataSync()[0]);
    expect(tf.max(tf.abs(tf.sub(ours, theirs))).dataSync()[0] / scale).toBeLessThan(1e-4);
    tf.dispose([x, y, ours, theirs]);
    c.dispose();
    return loaded;
  }

  it('writes a standard model.json + weights.bin', async () => {
    const loaded = await expectSamePredictions({ inputShape: [28, 28, 1], architecture: { name: 'mlp', numHidden: 32 } }, 2);
    const modelJson = JSON.parse(await readFile(join(dir, 'model.json'), 'utf8')) as tf.io.ModelJSON;
    expect(modelJson.format).toBe('layers-model');
    expect(modelJson.weightsManifest).toHaveLength(1);
    expect(modelJson.weightsManifest[0].paths).toEqual(['weights.bin']);
    const weightCount = modelJson.weightsManifest[0].weights.reduce((n, w) => n + w.shape.reduce((a, b) => a * b, 1), 0);
    expect((await readFile(join(dir, 'weights.bin'))).length).toBe(4 * weightCount);
    // The input branch of the signal (flatten, Linear, LayerNorm, ReLU), 2 hidden blocks, the output.
    expect(loaded.layers.map((l) => l.getClassName())).toEqual([
      'InputLayer', 'Flatten', 'Dense', 'LayerNormalization', 'ReLU',
      'Dense', 'LayerNormalization', 'LeakyReLU',
      'Dense', 'LayerNormalization', 'LeakyReLU',
      'Dense',
    ]);
    loaded.dispose();
  });

  it('an mlp on flat inputs (the default model: [784], no flatten layer needed)', async () => {
    (await expectSamePredictions({ inputShape: [784], architecture: { name: 'mlp', numHidden: 32 } }, 2)).dispose();
  });

  it('an mlp with batch statistics, pre-activation and dropout, and a context projection signal', async () => {
    const arch = { name: 'mlp', numHidden: 16, norm: 'batch', preActivation: true, dropout: 0.3, nonlinearity: 'relu' };
    (await expectSamePredictions({ inputShape: [5, 5, 2], classes: 4, architecture: arch, signal: { kind: 'projection-context' } }, 2)).dispose();
  });

  it('a vgg6 with instance norm, average pooling and a 7×7 stride-2 first convolution', async () => {
    const arch = { name: 'vgg6', featMult: 1 / 32, numHidden: 8, norm: 'instance', pool: 'avg' };
    (await expectSamePredictions({ inputShape: [72, 72, 3], classes: 5, architecture: arch, signal: { kind: 'fixed-projection' } }, 0, 4)).dispose();
  });

  it('a vgg6 with batch norm and a single linear head', async () => {
    const arch = { name: 'vgg6', featMult: 1 / 32, numLayers: 0, norm: 'batch', bias: false };
    (await expectSamePredictions({ inputShape: [16, 16, 3], classes: 4, architecture: arch, signal: { kind: 'projection-context' } }, 2, 4)).dispose();
  });

  it.runIf(backend === 'wasm')('a vgg8 with the lpi signal (its convolution and running-statistics batch norm)', async () => {
    const arch = { name: 'vgg8', featMult: 1 / 16, numHidden: 32, norm: 'batch' };
    (await expectSamePredictions({ inputShape: [32, 32, 3], architecture: arch }, 2)).dispose();
  });
});
