import * as tf from '@tensorflow/tfjs';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Classifier } from '../classifier/classifier.js';
import type { Module } from '../nn/module.js';
import { Sequential } from '../nn/sequential.js';
import { Learn } from '../propagators/learn.js';
import { Identity, Fixed, Forward } from '../propagators/other.js';
import { Learn as SignalLearn } from '../propagators/signals/learn.js';
import { Fixed as SignalFixed } from '../propagators/signals/fixed.js';
import { Sequential as SignalSequential } from '../signals/sequential.js';
import { ProjectionContextInput } from '../signals/projection-context-input.js';
import { ProjectionContext } from '../signals/projection-context.js';
import { FixedDrawContext } from '../signals/fixed-draw-context.js';
import { toTfjsLayers, type LayerWithWeights } from './tfjs-layers.js';

/** The file names {@link exportTfjs} writes. */
export const TFJS_FILES = { model: 'model.json', weights: 'weights.bin' } as const;

/**
 * The classifier's inference path as a standard tfjs layers model: the signal's input branch
 * (the input projection of `projection-context-input`; nothing for signals that pass `x`
 * through), then every layer of the network and the output layer, in eval mode, with the
 * classifier's current weights (see `toTfjsLayers` for the layer ports). Input
 * `[N, ...inputShape]` → logits `[N, classes]`, as `classifier.predict`. The caller disposes it.
 * With `norm: 'batch'` the blocks normalise with the statistics of the batch they are given, in
 * the layers model as in the classifier: predict a batch in one call (tfjs's `predict` splits
 * its input into batches of 32 unless told otherwise).
 * @throws Error when the model holds a module or signal with no tfjs layer equivalent.
 */
export function toTfjsLayersModel(model: Classifier): tf.Sequential {
  let rank = model.config.inputShape.length + 1;
  const converted: LayerWithWeights[] = [];
  for (const module of inferencePath(model)) {
    const next = toTfjsLayers(module, rank);
    converted.push(...next.layers);
    rank = next.rank;
  }
  const input = tf.layers.inputLayer({ inputShape: [...model.config.inputShape] });
  try {
    const layersModel = tf.sequential({ layers: [input, ...converted.map((c) => c.layer)] });
    for (const { layer, weights } of converted) if (weights.length > 0) layer.setWeights(weights);
    return layersModel;
  } finally {
    tf.dispose(converted.flatMap((c) => c.weights));
  }
}

/**
 * Writes the classifier's inference path (see {@link toTfjsLayersModel}) to `dir` as the
 * standard tfjs layers format: `model.json` (topology and weights manifest) and `weights.bin`,
 * loadable with `tf.loadLayersModel`. Creates `dir` when missing; overwrites both files.
 * @throws Error when the model cannot be expressed as tfjs layers, or a file cannot be written.
 */
export async function exportTfjs(model: Classifier, dir: string): Promise<void> {
  const layersModel = toTfjsLayersModel(model);
  try {
    await layersModel.save(
      tf.io.withSaveHandler(async (artifacts) => {
        const manifest: tf.io.WeightsManifestConfig = [{ paths: [TFJS_FILES.weights], weights: artifacts.weightSpecs ?? [] }];
        const modelJson: tf.io.ModelJSON = {
          modelTopology: artifacts.modelTopology as object,
          format: artifacts.format,
          generatedBy: artifacts.generatedBy,
          convertedBy: 'sigprop-stream exportTfjs',
          weightsManifest: manifest,
        };
        await mkdir(dir, { recursive: true });
        await writeFile(join(dir, TFJS_FILES.weights), new Uint8Array(tf.io.CompositeArrayBuffer.join(artifacts.weightData)));
        await writeFile(join(dir, TFJS_FILES.model), JSON.stringify(modelJson));
        return { modelArtifactsInfo: tf.io.getModelArtifactsInfoForJSON(artifacts) };
      }),
    );
  } finally {
    layersModel.dispose();
  }
}

/** The modules `h` goes through at inference, in order. */
function inferencePath(model: Classifier): Module[] {
  const { signal, network } = model.built.model;
  if (!(network instanceof Sequential)) throw new Error('exportTfjs: the network is not a sequence of propagators');
  return [...signalInputPath(signal), ...network.layers.map((p) => propagatedModule(p))];
}

/** What the signal does to `h`: its input projection, or nothing. */
function signalInputPath(signal: Module<unknown, unknown>): Module[] {
  const inner = signal instanceof SignalLearn || signal instanceof SignalFixed ? signal.module : null;
  const generator = inner instanceof SignalSequential ? inner.generator : null;
  if (generator instanceof ProjectionContextInput) return [generator.inputModule];
  if (generator instanceof ProjectionContext || generator instanceof FixedDrawContext) return [];
  throw new Error('exportTfjs: the signal is not a projection or drawing signal');
}

/** The layer a propagator applies to `h`. */
function propagatedModule(propagator: Module<unknown, unknown>): Module {
  if (propagator instanceof Learn || propagator instanceof Identity || propagator instanceof Fixed || propagator instanceof Forward) {
    return propagator.module;
  }
  throw new Error(`exportTfjs: a ${propagator.constructor.name} propagator has no inference equivalent`);
}
