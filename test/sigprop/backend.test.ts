import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { activeBackend, BACKEND_NAMES, init } from '../../src/sigprop/backend/index.js';
import {
  AvgPool2d,
  BatchNorm,
  Conv2d,
  Dropout,
  Dropout2d,
  Flatten,
  InstanceNorm2d,
  LayerNorm,
  LeakyReLU,
  Linear,
  MaxPool2d,
  Module,
  ReLU,
  Sequential,
  Tanh,
} from '../../src/sigprop/nn/index.js';
import { Random } from '../../src/sigprop/utils/random.js';

/** Largest absolute difference relative to the largest reference magnitude. */
function relativeError(actual: ArrayLike<number>, expected: ArrayLike<number>): number {
  expect(actual.length).toBe(expected.length);
  let diff = 0;
  let scale = 1e-12;
  for (let i = 0; i < expected.length; i++) {
    diff = Math.max(diff, Math.abs(actual[i] - expected[i]));
    scale = Math.max(scale, Math.abs(expected[i]));
  }
  return diff / scale;
}

/** A deterministic float32 tensor (the same values on every backend). */
function seeded(shape: number[], seed: number): tf.Tensor {
  const count = shape.reduce((a, b) => a * b, 1);
  return tf.tensor(new Random(seed).uniform(count, 1), shape);
}

interface Run {
  output: Float32Array;
  grads: Float32Array[];
}

/**
 * Forward plus the gradients of `sum(y ⊙ r)` (r fixed and random, so that normalised outputs
 * still get non-zero gradients) with respect to the input and every trainable parameter.
 */
function forwardAndGrads(module: Module, inputShape: number[]): Run {
  const x = tf.variable(seeded(inputShape, 11));
  const params = [x, ...module.parameters().filter((p) => p.trainable)];
  let output = new Float32Array();
  const grads = tf.tidy(() => {
    const { grads: byName } = tf.variableGrads(() => {
      const y = module.forward(x);
      output = y.dataSync() as Float32Array;
      return tf.sum(tf.mul(y, seeded(y.shape, 13)));
    }, params);
    return params.map((p) => byName[p.name].dataSync() as Float32Array);
  });
  x.dispose();
  return { output, grads };
}

/** The log-softmax that cross-entropy losses run through (max-reduction and exp kernels). */
class LogSoftmax extends Module {
  forward(x: tf.Tensor): tf.Tensor {
    return tf.logSoftmax(x);
  }
}

interface Case {
  name: string;
  make: () => Module;
  input: number[];
}

const cases: Case[] = [
  { name: 'Linear + LeakyReLU', make: () => new Sequential(new Linear(12, 7, { random: new Random(1) }), new LeakyReLU()), input: [5, 12] },
  { name: 'Linear 3-d input + ReLU', make: () => new Sequential(new Linear(6, 4, { random: new Random(1) }), new ReLU()), input: [2, 3, 6] },
  { name: 'Conv2d k3 s1 p1', make: () => new Conv2d(3, 4, 3, 1, 1, { random: new Random(2) }), input: [2, 6, 6, 3] },
  { name: 'Conv2d k3 s2 p1', make: () => new Conv2d(3, 5, 3, 2, 1, { random: new Random(2) }), input: [2, 9, 9, 3] },
  { name: 'Conv2d k3 s3 (unused rows)', make: () => new Conv2d(2, 4, 3, 3, 0, { random: new Random(2) }), input: [3, 10, 11, 2] },
  { name: 'Conv2d k[3,2] s[1,2] p[0,1]', make: () => new Conv2d(3, 4, [3, 2], [1, 2], [0, 1], { random: new Random(2) }), input: [2, 9, 8, 3] },
  { name: 'Conv2d k7 s2 p3 no bias', make: () => new Conv2d(1, 3, 7, 2, 3, { bias: false, random: new Random(2) }), input: [2, 13, 13, 1] },
  { name: 'MaxPool2d 2', make: () => new MaxPool2d(2), input: [2, 7, 7, 3] },
  { name: 'MaxPool2d k3 s2 p1', make: () => new MaxPool2d(3, 2, 1), input: [2, 8, 8, 3] },
  // All-zero windows after a ReLU: the stock wasm MaxPoolGrad sends their gradient to element 0.
  { name: 'ReLU + MaxPool2d 2', make: () => new Sequential(new ReLU(), new MaxPool2d(2)), input: [2, 6, 6, 4] },
  { name: 'AvgPool2d 2', make: () => new AvgPool2d(2), input: [2, 6, 6, 3] },
  { name: 'AvgPool2d k3 s2 p1', make: () => new AvgPool2d(3, 2, 1), input: [2, 8, 7, 3] },
  { name: 'LayerNorm [H,W,C]', make: () => new LayerNorm([4, 4, 3]), input: [2, 4, 4, 3] },
  { name: 'LayerNorm features', make: () => new LayerNorm(8), input: [3, 8] },
  { name: 'BatchNorm [N,C]', make: () => new BatchNorm(5), input: [6, 5] },
  { name: 'BatchNorm NHWC tracked', make: () => new BatchNorm(3, { trackRunningStats: true }), input: [2, 4, 4, 3] },
  { name: 'InstanceNorm2d affine', make: () => new InstanceNorm2d(3, { affine: true }), input: [2, 4, 5, 3] },
  { name: 'Dropout', make: () => new Dropout(0.3, { random: new Random(5) }), input: [4, 10] },
  { name: 'Dropout2d', make: () => new Dropout2d(0.4, { random: new Random(5) }), input: [3, 4, 4, 6] },
  { name: 'Tanh', make: () => new Tanh(), input: [3, 4] },
  { name: 'LogSoftmax (loss head)', make: () => new LogSoftmax(), input: [4, 6] },
  {
    name: 'conv net',
    // No conv bias: BatchNorm cancels it, so its gradient is float noise around 0.
    make: () =>
      new Sequential(
        new Conv2d(1, 4, 3, 1, 1, { bias: false, random: new Random(3) }),
        new BatchNorm(4),
        new ReLU(),
        new MaxPool2d(2),
        new Flatten(),
        new Linear(64, 3, { random: new Random(4) }),
      ),
    input: [4, 8, 8, 1],
  },
];

describe('backends: cpu and wasm agree', () => {
  afterAll(async () => {
    await init({ backend: 'cpu' });
  });

  for (const c of cases) {
    it(`${c.name}: forward and gradients`, async () => {
      // Fresh modules (same seeds) per backend, so that stateful ones start equal.
      await init({ backend: 'cpu' });
      const onCpu = c.make();
      const expected = forwardAndGrads(onCpu, c.input);
      await init({ backend: 'wasm' });
      const onWasm = c.make();
      const actual = forwardAndGrads(onWasm, c.input);
      expect(relativeError(actual.output, expected.output)).toBeLessThan(1e-4);
      expect(actual.grads.length).toBe(expected.grads.length);
      actual.grads.forEach((g, i) => expect(relativeError(g, expected.grads[i]), `gradient ${i}`).toBeLessThan(1e-4));
      onCpu.dispose();
      onWasm.dispose();
    });
  }

  it("Conv2DBackpropFilter on wasm matches cpu for 'same', 'valid' and explicit padding", async () => {
    const pads: Array<'same' | 'valid' | [[number, number], [number, number], [number, number], [number, number]]> = [
      'same',
      'valid',
      [[0, 0], [2, 1], [0, 3], [0, 0]],
    ];
    for (const pad of pads) {
      for (const stride of [1, 2, 3] as const) {
        const filterGrad = (): Float32Array =>
          tf.tidy(() => {
            const x = seeded([2, 9, 10, 3], 1) as tf.Tensor4D;
            const w0 = seeded([3, 3, 3, 4], 2);
            const conv = (w: tf.Tensor): tf.Tensor => tf.conv2d(x, w as tf.Tensor4D, stride, pad);
            const r = seeded(conv(w0).shape, 3);
            return tf.grad((w: tf.Tensor) => tf.sum(tf.mul(conv(w), r)))(w0).dataSync() as Float32Array;
          });
        await init({ backend: 'cpu' });
        const expected = filterGrad();
        await init({ backend: 'wasm' });
        expect(relativeError(filterGrad(), expected), `pad ${JSON.stringify(pad)} stride ${stride}`).toBeLessThan(1e-5);
      }
    }
  });
});

describe('backends: BatchMatMul fast path on wasm', () => {
  const shapes: Array<{ a: number[]; b: number[]; ta: boolean; tb: boolean }> = [];
  for (const ta of [false, true]) {
    for (const tb of [false, true]) {
      shapes.push({ a: ta ? [7, 5] : [5, 7], b: tb ? [3, 7] : [7, 3], ta, tb });
      shapes.push({ a: ta ? [4, 7, 5] : [4, 5, 7], b: tb ? [4, 3, 7] : [4, 7, 3], ta, tb });
      shapes.push({ a: ta ? [2, 7, 5] : [2, 5, 7], b: tb ? [1, 3, 7] : [1, 7, 3], ta, tb });
      // Larger than one 32×32 transpose tile and not a multiple of it.
      shapes.push({ a: ta ? [2, 67, 45] : [2, 45, 67], b: tb ? [2, 33, 67] : [2, 67, 33], ta, tb });
    }
  }

  for (const { a, b, ta, tb } of shapes) {
    it(`a ${JSON.stringify(a)} b ${JSON.stringify(b)} transposeA=${ta} transposeB=${tb} equals cpu`, async () => {
      const product = (): Float32Array =>
        tf.tidy(() => tf.matMul(seeded(a, 1) as tf.Tensor3D, seeded(b, 2) as tf.Tensor3D, ta, tb).dataSync() as Float32Array);
      await init({ backend: 'cpu' });
      const expected = product();
      await init({ backend: 'wasm' });
      expect(relativeError(product(), expected)).toBeLessThan(1e-5);
    });
  }

  it('leaves no intermediate tensors on the wasm heap', async () => {
    await init({ backend: 'wasm' });
    const [a, b, c, d] = [seeded([3, 8, 6], 1), seeded([3, 5, 6], 2), seeded([3, 8, 5], 3), seeded([3, 4, 8], 4)];
    const backend = tf.backend() as unknown as { numDataIds(): number };
    const before = backend.numDataIds();
    tf.matMul(a as tf.Tensor3D, b as tf.Tensor3D, false, true).dispose();
    tf.matMul(a as tf.Tensor3D, c as tf.Tensor3D, true, false).dispose();
    tf.matMul(a as tf.Tensor3D, d as tf.Tensor3D, true, true).dispose();
    expect(backend.numDataIds()).toBe(before);
    tf.dispose([a, b, c, d]);
  });
});

describe('backends: training on wasm', () => {
  beforeAll(async () => {
    await init({ backend: 'wasm' });
  });

  /** Images whose class (0 or 1) is which half is bright. */
  function dataset(): { x: tf.Tensor4D; y: tf.Tensor2D } {
    const random = new Random(9);
    const count = 16;
    const pixels = new Float32Array(count * 64);
    const labels: number[] = [];
    for (let n = 0; n < count; n++) {
      const label = n % 2;
      labels.push(label);
      for (let i = 0; i < 64; i++) {
        const bright = (i % 8 < 4) === (label === 0);
        pixels[n * 64 + i] = (bright ? 1 : 0) + 0.3 * (random.next() - 0.5);
      }
    }
    return { x: tf.tensor4d(pixels, [count, 8, 8, 1]), y: tf.oneHot(labels, 2).toFloat() as tf.Tensor2D };
  }

  function convNet(): Sequential {
    return new Sequential(
      new Conv2d(1, 4, 3, 1, 1, { random: new Random(3) }),
      new BatchNorm(4),
      new ReLU(),
      new MaxPool2d(2),
      new Flatten(),
      new Linear(64, 2, { random: new Random(4) }),
    );
  }

  it('a small conv net trains with decreasing loss and no tensor leak', () => {
    const { x, y } = dataset();
    const net = convNet();
    const optimizer = tf.train.adam(0.05);
    const step = (): number => {
      const loss = optimizer.minimize(
        () => tf.losses.softmaxCrossEntropy(y, net.forward(x) as tf.Tensor2D) as tf.Scalar,
        true,
        net.parameters().filter((p) => p.trainable),
      )!;
      const value = loss.dataSync()[0];
      loss.dispose();
      return value;
    };
    // Kernel-internal leaks show only in the backend's own count, tensor leaks in the engine's.
    const backend = tf.backend() as unknown as { numDataIds(): number };
    const losses = [step(), step()];
    const [tensorsAfterWarmup, dataIdsAfterWarmup] = [tf.memory().numTensors, backend.numDataIds()];
    for (let i = 0; i < 8; i++) losses.push(step());
    expect(tf.memory().numTensors).toBe(tensorsAfterWarmup);
    expect(backend.numDataIds()).toBe(dataIdsAfterWarmup);
    expect(losses[losses.length - 1]).toBeLessThan(losses[0] * 0.5);
    expect(losses.every((l) => Number.isFinite(l))).toBe(true);
    optimizer.dispose();
    net.dispose();
    tf.dispose([x, y]);
  });
});

describe('backends: init', () => {
  it('lists the valid names when the name is unknown', async () => {
    await expect(init({ backend: 'nope' as never })).rejects.toThrow(/unknown backend 'nope'.*auto, tensorflow, wasm, cpu/);
    expect(BACKEND_NAMES).toEqual(['auto', 'tensorflow', 'wasm', 'cpu']);
  });

  it('switches backends and reports the active one', async () => {
    expect(await init({ backend: 'cpu' })).toEqual({ name: 'cpu' });
    expect(activeBackend()).toBe('cpu');
    expect(await init({ backend: 'wasm' })).toEqual({ name: 'wasm' });
    expect(activeBackend()).toBe('wasm');
    // Idempotent: a second wasm init re-registers nothing and still works.
    expect(await init({ backend: 'wasm' })).toEqual({ name: 'wasm' });
    expect(tf.getKernel('Conv2DBackpropFilter', 'wasm')).toBeDefined();
  });

  it('auto falls back past the absent native bindings to wasm', async () => {
    expect(await init({ backend: 'auto' })).toEqual({ name: 'wasm' });
  });

  it("'tensorflow' fails clearly without tfjs-node", async () => {
    await expect(init({ backend: 'tensorflow' })).rejects.toThrow(/@tensorflow\/tfjs-node/);
  });

  it('reads SIGPROP_BACKEND when no option is given', async () => {
    const saved = process.env.SIGPROP_BACKEND;
    try {
      process.env.SIGPROP_BACKEND = 'cpu';
      expect(await init()).toEqual({ name: 'cpu' });
      process.env.SIGPROP_BACKEND = 'bogus';
      await expect(init()).rejects.toThrow(/expected one of auto, tensorflow, wasm, cpu/);
      expect((await init({ backend: 'wasm' })).name).toBe('wasm');
    } finally {
      if (saved === undefined) delete process.env.SIGPROP_BACKEND;
      else process.env.SIGPROP_BACKEND = saved;
    }
  });
});
