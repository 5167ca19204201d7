import { describe, it, expect, beforeAll } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { fromConfig, ConfigError, nn, signals, propagators, zoo, type Classifier } from '../../src/index.js';
import { Random } from '../../src/sigprop/utils/random.js';
import { BACKENDS, useBackend } from '../helpers/backends.js';

// Parameter counts of the reference's PyTorch layers, from their shapes.
/** `nn.Linear(i, o, bias)`. */
const linear = (i: number, o: number, bias = true): number => i * o + (bias ? o : 0);
/** `nn.Conv2d(i, o, k, bias)`. */
const conv = (i: number, o: number, k: number, bias = true): number => i * o * k * k + (bias ? o : 0);
/** `nn.LayerNorm(n)`, `BatchNorm1d/2d(n)`, `InstanceNorm2d(n, affine=True)`: a weight and a bias each. */
const norm = (n: number): number => 2 * n;

/** The parameters of a model, as PyTorch's `parameters()` (running statistics are buffers there). */
function parameterCount(c: Classifier): number {
  return c.built.model
    .namedParameters()
    .filter(([path]) => !/\.running(Mean|Var)$/.test(path))
    .reduce((n, [, v]) => n + v.size, 0);
}

/** Every sub-module of `root` (depth first, registration order). */
function allModules(root: nn.Module<unknown, unknown>): Array<nn.Module<unknown, unknown>> {
  return root.modules().flatMap(([, m]) => [m, ...allModules(m)]);
}

function ofType<T>(c: Classifier, type: abstract new (...args: never[]) => T): T[] {
  return allModules(c.built.model).filter((m): m is nn.Module<unknown, unknown> & T => m instanceof type);
}

/** The sub-layer classes of a learner's block (block wrapping). */
function blockClasses(c: Classifier, name: string): string[] {
  const learner = c.built.learners.find((l) => l.name === name);
  const block = (learner?.propagator as propagators.Loss).module as nn.Sequential;
  return block.layers.map((l) => l.constructor.name);
}

/** A deterministic batch of `n` inputs of `shape` and labels cycling through `classes`. */
function batch(n: number, shape: number[], classes: number, seed = 7): { x: tf.Tensor; y: tf.Tensor1D } {
  const values = new Random(seed).uniform(n * shape.reduce((a, b) => a * b, 1), 1);
  return { x: tf.tensor(values, [n, ...shape]), y: tf.tensor1d(Array.from({ length: n }, (_, i) => i % classes), 'int32') };
}

/** Runs `steps` learn calls and returns the output losses. */
function train(c: Classifier, x: tf.Tensor, y: tf.Tensor1D, steps: number): number[] {
  const losses: number[] = [];
  for (let i = 0; i < steps; i++) {
    const { logits, loss } = c.learn(x, y);
    losses.push(loss.dataSync()[0]);
    tf.dispose([logits, loss]);
  }
  return losses;
}

/** Reference layer lists (examples.py) and their total, for the configs below. */
const PARAMETER_CASES: Array<{ what: string; config: object; reference: number; total: number }> = [
  {
    what: 'mlp, the benchmark network (lpi signal 784→1024, 2 hidden blocks, LayerNorm)',
    config: { inputShape: [784], architecture: { name: 'mlp', numHidden: 1024, numLayers: 2, norm: 'layer' } },
    // signal: input Linear+LayerNorm, context Linear+LayerNorm; 2 × BlockLinear; layer_out
    reference: linear(784, 1024, false) + norm(1024) + linear(10, 1024, false) + norm(1024) + 2 * (linear(1024, 1024) + norm(1024)) + linear(1024, 10),
    total: 2_930_698,
  },
  {
    what: 'mlp on 28×28×1 with the learned context projection, no norm, no bias',
    config: {
      inputShape: [28, 28, 1],
      architecture: { name: 'mlp', numHidden: 32, numLayers: 1, norm: 'none', bias: false },
      signal: { kind: 'projection-context' },
    },
    // signal_modules_lp(10 → 784); BlockLinear(784, 32) without norm; layer_out without bias
    reference: linear(10, 784, false) + norm(784) + linear(784, 32, false) + linear(32, 10, false),
    total: 34_816,
  },
  {
    what: 'mlp with the fixed projection signal',
    config: { inputShape: [784], architecture: { name: 'mlp', numHidden: 32, numLayers: 2 }, signal: { kind: 'fixed-projection' } },
    // signal_modules_fp(10 → 784); 2 × BlockLinear with LayerNorm; layer_out
    reference: linear(10, 784, false) + linear(784, 32) + norm(32) + linear(32, 32) + norm(32) + linear(32, 10),
    total: 34_474,
  },
  {
    what: 'vgg8 on CIFAR-10 with the examples defaults (batch norm, featMult 1, 1 hidden layer of 1024)',
    config: { inputShape: [32, 32, 3], architecture: { name: 'vgg8', norm: 'batch' } },
    // signal_modules_lpi(10 → 128×32×32); BlockConv 128-128-M-256... with BatchNorm2d; Net(1, 1024) on 512×2×2
    reference:
      linear(10, 128 * 32 * 32, false) + norm(128 * 32 * 32) + conv(3, 128, 3, false) + norm(128) +
      conv(128, 128, 3) + norm(128) + conv(128, 256, 3) + norm(256) +
      conv(256, 256, 3) + norm(256) + conv(256, 512, 3) + norm(512) +
      conv(512, 512, 3) + norm(512) + conv(512, 512, 3) + norm(512) +
      linear(512 * 2 * 2, 1024) + norm(1024) + linear(1024, 10),
    total: 10_624_010,
  },
  {
    what: 'vgg6 on 28×28×1, average pooling, instance norm, featMult 0.5, single linear head',
    config: { inputShape: [28, 28, 1], architecture: { name: 'vgg6', featMult: 0.5, pool: 'avg', norm: 'instance', numLayers: 0 } },
    // signal lpi (conv from 1 channel); BlockConv 64-A-128-A-256-A-256-A with InstanceNorm2d(affine); 28→14→7→3→1
    reference:
      linear(10, 128 * 28 * 28, false) + norm(128 * 28 * 28) + conv(1, 128, 3, false) + norm(128) +
      conv(128, 64, 3) + norm(64) + conv(64, 128, 3) + norm(128) + conv(128, 256, 3) + norm(256) + conv(256, 256, 3) + norm(256) +
      linear(256, 10),
    total: 2_242_506,
  },
  {
    what: 'vgg11 on 72×72×3 (7×7 stride-2 first conv), featMult 0.25, no norm, no bias, 2 hidden layers',
    config: {
      inputShape: [72, 72, 3],
      architecture: { name: 'vgg11', featMult: 0.25, norm: 'none', bias: false, numLayers: 2, numHidden: 64 },
      signal: { kind: 'projection-context' },
    },
    // signal_modules_lp(10 → 72×72×3); 7×7/2 conv 3→32 then 3×3 convs 32-32-64-M-64-128-M-128-128-M-128-M; 36→18→9→4→2
    reference:
      linear(10, 72 * 72 * 3, false) + norm(72 * 72 * 3) +
      conv(3, 32, 7, false) + conv(32, 32, 3, false) + conv(32, 32, 3, false) + conv(32, 64, 3, false) +
      conv(64, 64, 3, false) + conv(64, 128, 3, false) + conv(128, 128, 3, false) + conv(128, 128, 3, false) + conv(128, 128, 3, false) +
      linear(128 * 2 * 2, 64, false) + linear(64, 64, false) + linear(64, 10, false),
    total: 818_656,
  },
  {
    what: 'vgg6 with pre-activation blocks (BlockConv act="pre": the norm sees the input channels)',
    config: { inputShape: [32, 32, 3], architecture: { name: 'vgg6', featMult: 0.25, norm: 'batch', preActivation: true, numHidden: 32 } },
    reference:
      linear(10, 128 * 32 * 32, false) + norm(128 * 32 * 32) + conv(3, 128, 3, false) + norm(128) +
      norm(128) + conv(128, 32, 3) + norm(32) + conv(32, 64, 3) + norm(64) + conv(64, 128, 3) + norm(128) + conv(128, 128, 3) +
      norm(128 * 2 * 2) + linear(128 * 2 * 2, 32) + linear(32, 10),
    total: 1_871_882,
  },
];

describe.each(BACKENDS)('model zoo on %s', (backend) => {
  beforeAll(async () => {
    await useBackend(backend);
  });

  describe('parameter counts equal the reference examples', () => {
    it.each(PARAMETER_CASES)('$what', ({ config, reference, total }) => {
      expect(reference).toBe(total);
      const c = fromConfig(config);
      expect(parameterCount(c)).toBe(reference);
      c.dispose();
    });
  });

  describe('vgg', () => {
    it('follows the channel plans, scaled by featMult (truncated)', () => {
      const plans = { vgg6: [64, 128, 256, 256], vgg8: [64, 128, 128, 256, 256, 256], vgg11: [64, 64, 64, 128, 128, 256, 256, 256, 256] };
      for (const [name, channels] of Object.entries(plans)) {
        const c = fromConfig({ inputShape: [32, 32, 3], classes: 3, architecture: { name, featMult: 0.5, numHidden: 8 }, signal: { kind: 'fixed-projection' } });
        expect(ofType(c, nn.Conv2d).map((m) => m.outChannels)).toEqual(channels);
        expect(ofType(c, nn.MaxPool2d)).toHaveLength(4);
        c.dispose();
      }
      const odd = fromConfig({ inputShape: [16, 16, 3], architecture: { name: 'vgg6', featMult: 0.3, numHidden: 8 }, signal: { kind: 'fixed-projection' } });
      expect(ofType(odd, nn.Conv2d).map((m) => m.outChannels)).toEqual([38, 76, 153, 153]);
      odd.dispose();
    });

    it('uses a 7×7 stride-2 first convolution only for inputs larger than 64 px, and average pooling on request', () => {
      const small = fromConfig({ inputShape: [64, 64, 3], architecture: { name: 'vgg6', featMult: 1 / 32, numHidden: 8 }, signal: { kind: 'fixed-projection' } });
      const large = fromConfig({ inputShape: [65, 65, 3], architecture: { name: 'vgg6', featMult: 1 / 32, numHidden: 8, pool: 'avg' }, signal: { kind: 'fixed-projection' } });
      const [first] = ofType(small, nn.Conv2d);
      const [bigFirst, second] = ofType(large, nn.Conv2d);
      expect([first.kernelSize, first.stride, first.padding]).toEqual([[3, 3], [1, 1], [1, 1]]);
      expect([bigFirst.kernelSize, bigFirst.stride, bigFirst.padding]).toEqual([[7, 7], [2, 2], [3, 3]]);
      expect([second.kernelSize, second.stride]).toEqual([[3, 3], [1, 1]]);
      expect(ofType(large, nn.AvgPool2d)).toHaveLength(4);
      expect(ofType(large, nn.MaxPool2d)).toHaveLength(0);
      // 65 → 33 → 16 → 8 → 4 → 2: the head's first layer sees 2×2×16 features.
      expect(ofType(large, nn.Linear).at(-2)?.inFeatures).toBe(2 * 2 * 16);
      small.dispose();
      large.dispose();
    });

    it('uses the lpi signal: a 3×3 conv of the image to 128 channels and a context projection to [H, W, 128]', () => {
      const c = fromConfig({ inputShape: [16, 16, 2], architecture: { name: 'vgg6', featMult: 1 / 32, numHidden: 8 } });
      const generator = ((c.built.model.signal as propagators.signals.Loss).module as signals.Sequential).generator as signals.ProjectionContextInput;
      expect(generator).toBeInstanceOf(signals.ProjectionContextInput);
      expect(generator.outputShape).toEqual([16, 16, zoo.SIGNAL_CHANNELS]);
      const [stem, bn] = (generator.inputModule as nn.Sequential).layers as [nn.Conv2d, nn.BatchNorm];
      expect([stem.inChannels, stem.outChannels, stem.bias, bn.runningMean?.shape]).toEqual([2, 128, null, [128]]);
      expect((generator.contextModule as nn.Sequential).layers.map((l) => l.constructor.name)).toEqual(['Linear', 'LayerNorm', 'ReLU']);
      expect(ofType(c, nn.Conv2d)[1].inChannels).toBe(128);
      c.dispose();
    });

    it('rejects, before building anything, a featMult that leaves no channel or an image too small for the poolings', () => {
      const before = tf.memory().numTensors;
      const expectProblem = (config: object, path: string) => {
        try {
          fromConfig(config);
          expect.unreachable();
        } catch (error) {
          expect(error).toBeInstanceOf(ConfigError);
          expect((error as ConfigError).problems.map((p) => p.path)).toEqual([path]);
        }
      };
      expectProblem({ inputShape: [32, 32, 3], architecture: { name: 'vgg8', featMult: 0.005 } }, '/architecture/featMult');
      expectProblem({ inputShape: [8, 8, 3], architecture: { name: 'vgg8', featMult: 0.1 } }, '/inputShape');
      expect(tf.memory().numTensors).toBe(before);
    });
  });

  describe('blocks', () => {
    it('order norm, nonlinearity and dropout after the layer, or before it with pre-activation (dropout too)', () => {
      const base = { inputShape: [16, 16, 3], architecture: { name: 'vgg6', featMult: 1 / 32, numHidden: 8, norm: 'batch', dropout: 0.1 } };
      const post = fromConfig(base);
      const pre = fromConfig({ ...base, architecture: { ...base.architecture, preActivation: true, nonlinearity: 'relu' } });
      expect(blockClasses(post, 'conv1')).toEqual(['Conv2d', 'BatchNorm', 'LeakyReLU', 'Dropout2d']);
      expect(blockClasses(post, 'hidden1')).toEqual(['Linear', 'BatchNorm', 'LeakyReLU', 'Dropout']);
      expect(blockClasses(pre, 'conv1')).toEqual(['BatchNorm', 'ReLU', 'Dropout2d', 'Conv2d']);
      expect((post.built.learners.find((l) => l.name === 'conv1')?.propagator as propagators.Loss).module.namedParameters().map(([p]) => p)).toEqual([
        '0.kernel',
        '0.bias',
        '1.gamma',
        '1.beta',
      ]);
      post.dispose();
      pre.dispose();
    });

    it('map the norms as the examples: instance → InstanceNorm2d(affine) on images and LayerNorm on vectors; none; bias off', () => {
      const c = fromConfig({ inputShape: [16, 16, 3], architecture: { name: 'vgg6', featMult: 1 / 32, numHidden: 8, norm: 'instance' } });
      expect(blockClasses(c, 'conv1')).toEqual(['Conv2d', 'InstanceNorm2d', 'LeakyReLU']);
      expect(ofType(c, nn.InstanceNorm2d).every((m) => m.gamma !== null && m.beta !== null)).toBe(true);
      expect(blockClasses(c, 'hidden1')).toEqual(['Linear', 'LayerNorm', 'LeakyReLU']);
      const bare = fromConfig({ inputShape: [20], architecture: { name: 'mlp', numHidden: 8, norm: 'none', bias: false } });
      expect(blockClasses(bare, 'hidden1')).toEqual(['Linear', 'LeakyReLU']);
      expect(ofType(bare, nn.Linear).map((l) => l.bias)).toEqual([null, null, null, null, null]);
      c.dispose();
      bare.dispose();
    });

    it("wrap each sub-layer in the reference's fine mode: parameters learn, the rest is fixed", () => {
      const c = fromConfig({ inputShape: [16, 16, 3], architecture: { name: 'vgg6', featMult: 1 / 32, numHidden: 8, norm: 'batch', wrap: 'fine', dropout: 0.2 } });
      expect(c.optimizers().map(([n]) => n)).toEqual([
        'signal', 'conv1.0', 'conv1.1', 'conv2.0', 'conv2.1', 'conv3.0', 'conv3.1', 'conv4.0', 'conv4.1', 'hidden1.0', 'hidden1.1', 'output',
      ]);
      const network = (c.built.model.network as nn.Sequential<propagators.Flow>).layers;
      expect(network.slice(0, 5).map((p) => `${p.constructor.name}(${(p as propagators.Fixed).module.constructor.name})`)).toEqual([
        'Loss(Conv2d)', 'Loss(BatchNorm)', 'Fixed(LeakyReLU)', 'Fixed(Dropout2d)', 'Fixed(MaxPool2d)',
      ]);
      c.dispose();
    });
  });

  describe('signals', () => {
    it('a fixed projection is a frozen linear map that never learns', () => {
      const c = fromConfig({ inputShape: [12], classes: 3, architecture: { name: 'mlp', numHidden: 8 }, signal: { kind: 'fixed-projection' } });
      const projection = ofType(c, nn.Linear)[0];
      expect([projection.inFeatures, projection.outFeatures, projection.bias, projection.kernel.trainable]).toEqual([3, 12, null, false]);
      expect(c.optimizers().map(([n]) => n)).toEqual(['hidden1', 'hidden2', 'output']);
      const before = projection.kernel.dataSync().slice();
      const { x, y } = batch(6, [12], 3);
      train(c, x, y, 2);
      expect(projection.kernel.dataSync()).toEqual(before);
      tf.dispose([x, y]);
      c.dispose();
    });

    it('targets are one row per class (v1) or per sample (v9/v14/v15)', () => {
      const shapes: Record<string, number[]> = {};
      for (const [loss, targets] of [['v1', 'per-class'], ['v14', 'per-sample']]) {
        const c = fromConfig({ inputShape: [12], classes: 3, architecture: { name: 'mlp', numHidden: 8 }, loss: { name: loss }, signal: { targets } });
        const { x, y } = batch(4, [12], 3);
        const t = tf.tidy(() => c.built.model.signal.forward({ h: x, t: y, context: y }).t as tf.Tensor);
        shapes[loss] = t.shape;
        tf.dispose([x, y, t]);
        c.dispose();
      }
      expect(shapes).toEqual({ v1: [3, 8], v14: [4, 8] });
    });
  });

  describe('training', () => {
    it('an mlp learns a few steps: finite losses, counters, every learner updated', () => {
      const c = fromConfig({ inputShape: [6, 6, 1], classes: 3, architecture: { name: 'mlp', numHidden: 16, dropout: 0.1 }, loss: { name: 'v14' }, signal: { targets: 'per-sample' } });
      const weights = () => c.built.learners.map((l) => l.propagator.namedParameters()[0][1].dataSync().slice());
      const before = weights();
      const { x, y } = batch(6, [6, 6, 1], 3);
      const losses = train(c, x, y, 3);
      expect(losses.every(Number.isFinite)).toBe(true);
      expect([c.samples, c.steps]).toEqual([18, 3]);
      weights().forEach((w, i) => expect(w).not.toEqual(before[i]));
      tf.dispose([x, y]);
      c.dispose();
    });

    it('a small vgg6 (context projection signal) learns a few steps', () => {
      const c = fromConfig({ inputShape: [16, 16, 3], classes: 4, architecture: { name: 'vgg6', featMult: 1 / 32, numHidden: 16, norm: 'batch' }, signal: { kind: 'projection-context' } });
      const { x, y } = batch(4, [16, 16, 3], 4);
      expect(train(c, x, y, 2).every(Number.isFinite)).toBe(true);
      const logits = c.predict(x);
      expect(logits.shape).toEqual([4, 4]);
      tf.dispose([x, y, logits]);
      c.dispose();
    });

    it.runIf(backend === 'wasm')('a vgg8 with the lpi signal on 32×32×3 images trains for a few steps', () => {
      const c = fromConfig({
        inputShape: [32, 32, 3],
        architecture: { name: 'vgg8', featMult: 0.125, numHidden: 64, norm: 'batch', dropout: 0.1 },
        loss: { name: 'v14' },
        signal: { targets: 'per-sample' },
      });
      const kernels = () => c.built.learners.map((l) => l.propagator.namedParameters().find(([p]) => p.endsWith('kernel'))?.[1].dataSync().slice());
      const before = kernels();
      const { x, y } = batch(8, [32, 32, 3], 10);
      const losses = train(c, x, y, 2);
      const tensors = tf.memory().numTensors;
      losses.push(...train(c, x, y, 1));
      expect(tf.memory().numTensors).toBe(tensors);
      expect(losses.every(Number.isFinite)).toBe(true);
      expect(c.layerMetrics().map((m) => m.name)).toEqual(['signal', 'conv1', 'conv2', 'conv3', 'conv4', 'conv5', 'conv6', 'hidden1']);
      kernels().forEach((k, i) => expect(k).not.toEqual(before[i]));
      tf.dispose([x, y]);
      c.dispose();
    });
  });
});
