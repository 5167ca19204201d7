import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import * as nn from '../../src/sigprop/nn/index.js';
import {
  AvgPool2d,
  BatchNorm,
  Conv2d,
  Dropout,
  Dropout2d,
  InstanceNorm2d,
  LayerNorm,
  MaxPool2d,
} from '../../src/sigprop/nn/index.js';
import { Random } from '../../src/sigprop/utils/random.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

function values(t: tf.Tensor): number[] {
  return Array.from(t.dataSync());
}

function expectClose(actual: number[], expected: number[], tolerance = 1e-5): void {
  expect(actual.length).toBe(expected.length);
  actual.forEach((v, i) => expect(Math.abs(v - expected[i]), `index ${i}: ${v} vs ${expected[i]}`).toBeLessThan(tolerance));
}

/** `(v − mean) / √(var + eps)` over `vs` with the biased variance: the normalisation formula. */
function normalise(vs: number[], eps = 1e-5): number[] {
  const mean = vs.reduce((a, b) => a + b, 0) / vs.length;
  const variance = vs.reduce((a, b) => a + (b - mean) ** 2, 0) / vs.length;
  return vs.map((v) => (v - mean) / Math.sqrt(variance + eps));
}

describe('nn index', () => {
  it('exports every block', () => {
    for (const name of [
      'Module', 'Linear', 'Conv2d', 'LayerNorm', 'BatchNorm', 'InstanceNorm2d', 'ReLU', 'LeakyReLU', 'Tanh',
      'Dropout', 'Dropout2d', 'MaxPool2d', 'AvgPool2d', 'Flatten', 'Sequential', 'uniformFanIn',
    ]) {
      expect(typeof (nn as Record<string, unknown>)[name], name).toBe('function');
    }
  });
});

describe('Conv2d', () => {
  // [H, W, kernel, stride, padding, PyTorch output H, W] from
  // torch.nn.Conv2d(c, o, kernel, stride, padding)(torch.zeros(1, c, H, W)).shape.
  const cases: Array<[number, number, nn.Size2, nn.Size2, nn.Size2, number, number]> = [
    [28, 28, 3, 1, 1, 28, 28],
    [32, 32, 7, 2, 3, 16, 16],
    [10, 11, 3, 3, 0, 3, 3],
    [9, 8, [3, 2], [1, 2], [0, 1], 7, 5],
    [5, 5, 5, 1, 0, 1, 1],
    [7, 7, 1, 2, 0, 4, 4],
  ];
  for (const [h, w, k, s, p, oh, ow] of cases) {
    it(`output shape for H=${h} W=${w} k=${k} s=${s} p=${p} equals PyTorch's`, () => {
      const conv = new Conv2d(2, 3, k, s, p);
      const y = conv.forward(tf.zeros([2, h, w, 2]));
      expect(y.shape).toEqual([2, oh, ow, 3]);
      conv.dispose();
    });
  }

  it('stores the kernel [kh, kw, in, out] with PyTorch default init bounds', () => {
    const conv = new Conv2d(4, 6, [3, 2], 1, 0, { random: new Random(3) });
    expect(conv.kernel.shape).toEqual([3, 2, 4, 6]);
    expect(conv.bias!.shape).toEqual([6]);
    const bound = 1 / Math.sqrt(4 * 3 * 2);
    for (const v of [...values(conv.kernel), ...values(conv.bias!)]) expect(Math.abs(v)).toBeLessThanOrEqual(bound);
    expect(Math.max(...values(conv.kernel).map(Math.abs))).toBeGreaterThan(bound * 0.8);
    expect(conv.namedParameters().map(([n]) => n)).toEqual(['kernel', 'bias']);
    expect(new Conv2d(1, 1, 3, 1, 0, { bias: false }).bias).toBeNull();
  });

  it('pads with zeros symmetrically like PyTorch (3×3 ones kernel over ones, padding 1)', () => {
    const conv = new Conv2d(1, 1, 3, 1, 1, { bias: false });
    conv.kernel.assign(tf.ones([3, 3, 1, 1]));
    expect(values(conv.forward(tf.ones([1, 3, 3, 1])))).toEqual([4, 6, 4, 6, 9, 6, 4, 6, 4]);
  });

  it('throws naming the module, the shape seen and the shape expected', () => {
    const conv = new Conv2d(3, 4, 3);
    expect(() => conv.forward(tf.zeros([1, 5, 5, 2]))).toThrow(/Conv2d: input shape \[1, 5, 5, 2\]; expected NHWC \[N, H, W, 3\]/);
    expect(() => conv.forward(tf.zeros([5, 3]))).toThrow(/Conv2d: input shape \[5, 3\]/);
    expect(() => conv.forward(tf.zeros([1, 2, 5, 3]))).toThrow(/Conv2d: padded input size 2 is smaller than the kernel size 3/);
    expect(() => new Conv2d(3, 4, 0)).toThrow(/kernelSize/);
    expect(() => new Conv2d(3, 4, 3, 1, -1)).toThrow(/padding/);
  });
});

describe('pooling', () => {
  // [H, kernel, stride, padding, PyTorch output H] (ceil_mode=False).
  const cases: Array<[number, number, number | undefined, number, number]> = [
    [7, 2, undefined, 0, 3],
    [8, 3, 2, 1, 4],
    [32, 2, 2, 0, 16],
    [5, 3, 1, 1, 5],
    [6, 4, 3, 2, 3],
  ];
  for (const [h, k, s, p, o] of cases) {
    it(`MaxPool2d and AvgPool2d H=${h} k=${k} s=${s ?? k} p=${p} give PyTorch's output size ${o}`, () => {
      for (const pool of [new MaxPool2d(k, s, p), new AvgPool2d(k, s, p)]) {
        expect(pool.forward(tf.zeros([2, h, h, 3])).shape).toEqual([2, o, o, 3]);
      }
    });
  }

  it('MaxPool2d: padding never wins (counts as −∞)', () => {
    const y = new MaxPool2d(2, 1, 1).forward(tf.fill([1, 2, 2, 1], -1));
    expect(values(y)).toEqual(Array(9).fill(-1));
  });

  it('AvgPool2d counts padded zeros in the divisor (count_include_pad=True)', () => {
    const y = new AvgPool2d(2, 1, 1).forward(tf.ones([1, 2, 2, 1]));
    expect(values(y)).toEqual([0.25, 0.5, 0.25, 0.5, 1, 0.5, 0.25, 0.5, 0.25]);
  });

  it('max and mean of each window', () => {
    const x = tf.tensor4d([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16], [1, 4, 4, 1]);
    expect(values(new MaxPool2d(2).forward(x))).toEqual([6, 8, 14, 16]);
    expect(values(new AvgPool2d(2).forward(x))).toEqual([3.5, 5.5, 11.5, 13.5]);
  });

  it('rejects padding above half the kernel and bad inputs', () => {
    expect(() => new MaxPool2d(2, 2, 2)).toThrow(/MaxPool2d: padding \[2, 2\] must be at most half of kernelSize \[2, 2\]/);
    expect(() => new AvgPool2d(3, 1, 2)).toThrow(/AvgPool2d: padding/);
    expect(() => new MaxPool2d(2).forward(tf.zeros([4, 4]))).toThrow(/MaxPool2d: input shape \[4, 4\]; expected NHWC/);
    expect(() => new AvgPool2d(3).forward(tf.zeros([1, 2, 2, 1]))).toThrow(/AvgPool2d: padded input size 2/);
  });
});

describe('LayerNorm', () => {
  it('normalises each sample over the trailing dim with the biased variance', () => {
    const rows = [[1, 2, 3, 4], [2, -1, 0, 7]];
    const ln = new LayerNorm(4);
    expectClose(values(ln.forward(tf.tensor2d(rows))), rows.flatMap((r) => normalise(r)));
    expect(ln.namedParameters().map(([n, v]) => [n, v.shape])).toEqual([['gamma', [4]], ['beta', [4]]]);
  });

  it('normalises NHWC activations over [H, W, C] and applies gamma and beta elementwise', () => {
    const sample = [0.5, -1, 2, 3, 0, 1, -2, 4];
    const ln = new LayerNorm([2, 2, 2]);
    const gamma = [1, 2, 3, 4, 5, 6, 7, 8];
    ln.gamma!.assign(tf.tensor3d(gamma, [2, 2, 2]));
    ln.beta!.assign(tf.fill([2, 2, 2], 0.5));
    const y = ln.forward(tf.tensor4d([...sample, ...sample.map((v) => 2 * v)], [2, 2, 2, 2]));
    const expected = normalise(sample).map((v, i) => v * gamma[i] + 0.5);
    // Scaling a sample does not change its normalised values (up to eps).
    expectClose(values(y), [...expected, ...expected], 1e-4);
  });

  it('without elementwiseAffine has no parameters; eps is honoured', () => {
    const ln = new LayerNorm([3], { elementwiseAffine: false, eps: 0.5 });
    expect(ln.namedParameters()).toEqual([]);
    expectClose(values(ln.forward(tf.tensor2d([[1, 2, 3]]))), normalise([1, 2, 3], 0.5));
  });

  it('throws on trailing dims that differ', () => {
    expect(() => new LayerNorm([4, 4, 3]).forward(tf.zeros([2, 3, 4, 4]))).toThrow(
      /LayerNorm: input shape \[2, 3, 4, 4\]; expected \[\.\.\., 4, 4, 3\]/,
    );
    expect(() => new LayerNorm([2, 3]).forward(tf.zeros([3]))).toThrow(/LayerNorm: input shape \[3\]/);
  });
});

describe('BatchNorm', () => {
  const columns = [[1, 4, -2], [0.5, 0.5, 3]];
  const x = (): tf.Tensor => tf.tensor2d([[1, 0.5], [4, 0.5], [-2, 3]]);

  it('training on [N, C]: batch statistics per channel', () => {
    const bn = new BatchNorm(2);
    const y = tf.transpose(bn.forward(x()));
    expectClose(values(y), columns.flatMap((c) => normalise(c)));
  });

  it('defaults to the reference examples: no running stats, batch statistics in eval too', () => {
    const bn = new BatchNorm(2);
    expect(bn.namedParameters().map(([n]) => n)).toEqual(['gamma', 'beta']);
    bn.eval();
    expectClose(values(tf.transpose(bn.forward(x()))), columns.flatMap((c) => normalise(c)));
  });

  it('trackRunningStats: running mean/var updated with momentum (unbiased var), used in eval', () => {
    const bn = new BatchNorm(2, { trackRunningStats: true, momentum: 0.1 });
    bn.forward(x());
    const mean = columns.map((c) => c.reduce((a, b) => a + b) / 3);
    const unbiased = columns.map((c, i) => c.reduce((a, b) => a + (b - mean[i]) ** 2, 0) / 2);
    const runningMean = mean.map((m) => 0.1 * m);
    const runningVar = unbiased.map((v) => 0.9 + 0.1 * v);
    expectClose(values(bn.runningMean!), runningMean);
    expectClose(values(bn.runningVar!), runningVar);
    const named = new Map(bn.namedParameters());
    expect([...named.keys()]).toEqual(['gamma', 'beta', 'runningMean', 'runningVar']);
    expect(named.get('runningMean')!.trainable).toBe(false);
    expect(named.get('gamma')!.trainable).toBe(true);

    bn.eval();
    const y = values(bn.forward(tf.tensor2d([[2, 1]])));
    expectClose(y, [0, 1].map((c) => ([2, 1][c] - runningMean[c]) / Math.sqrt(runningVar[c] + 1e-5)));
    // Eval leaves the running statistics alone.
    expectClose(values(bn.runningMean!), runningMean);
  });

  it('NHWC [N, H, W, C]: statistics over N, H and W; gamma and beta per channel', () => {
    const data = [1, 10, 2, 20, 3, 30, 4, 40, 5, 50, 6, 60, 7, 70, 8, 80];
    const bn = new BatchNorm(2);
    bn.gamma!.assign(tf.tensor1d([2, 3]));
    bn.beta!.assign(tf.tensor1d([1, -1]));
    const y = values(bn.forward(tf.tensor4d(data, [2, 2, 2, 2])));
    const c0 = normalise(data.filter((_, i) => i % 2 === 0)).map((v) => 2 * v + 1);
    const c1 = normalise(data.filter((_, i) => i % 2 === 1)).map((v) => 3 * v - 1);
    expectClose(y, c0.flatMap((v, i) => [v, c1[i]]));
  });

  it('throws on a wrong channel count, a wrong rank, or one value per channel', () => {
    const bn = new BatchNorm(3);
    expect(() => bn.forward(tf.zeros([4, 2]))).toThrow(/BatchNorm: input shape \[4, 2\]; expected \[N, 3\] or NHWC \[N, H, W, 3\]/);
    expect(() => bn.forward(tf.zeros([4, 2, 3]))).toThrow(/BatchNorm: input shape \[4, 2, 3\]/);
    expect(() => bn.forward(tf.zeros([1, 3]))).toThrow(/BatchNorm: input shape \[1, 3\] has 1 value per channel/);
    expect(() => bn.forward(tf.zeros([1, 1, 1, 3]))).toThrow(/1 value per channel/);
  });
});

describe('InstanceNorm2d', () => {
  it('normalises each sample and channel over H and W; no parameters by default', () => {
    const data = [1, 5, 2, 3, 3, 1, 4, -2, 9, 0, 7, 1, 5, 2, 3, 3];
    const norm = new InstanceNorm2d(2);
    expect(norm.namedParameters()).toEqual([]);
    const y = values(norm.forward(tf.tensor4d(data, [2, 2, 2, 2])));
    const expected = new Array<number>(16);
    for (const n of [0, 1]) {
      for (const c of [0, 1]) {
        const idx = [0, 1, 2, 3].map((p) => n * 8 + p * 2 + c);
        normalise(idx.map((i) => data[i])).forEach((v, j) => (expected[idx[j]] = v));
      }
    }
    expectClose(y, expected);
  });

  it('affine adds per-channel gamma and beta', () => {
    const norm = new InstanceNorm2d(2, { affine: true });
    expect(norm.namedParameters().map(([n, v]) => [n, v.shape])).toEqual([['gamma', [2]], ['beta', [2]]]);
  });

  it('throws on a wrong channel count or a single spatial position', () => {
    expect(() => new InstanceNorm2d(3).forward(tf.zeros([1, 2, 2, 2]))).toThrow(
      /InstanceNorm2d: input shape \[1, 2, 2, 2\]; expected NHWC \[N, H, W, 3\]/,
    );
    expect(() => new InstanceNorm2d(3).forward(tf.zeros([2, 1, 1, 3]))).toThrow(/1 spatial position/);
  });
});

describe('Dropout', () => {
  it('is the identity in eval mode', () => {
    const x = tf.tensor2d([[1, 2], [3, 4]]);
    for (const d of [new Dropout(0.5), new Dropout2d(0.5)]) {
      d.eval();
      const input = d instanceof Dropout2d ? x.reshape([1, 2, 2, 1]) : x;
      expect(values(d.forward(input))).toEqual([1, 2, 3, 4]);
    }
  });

  it('training zeroes about p of the elements and scales survivors by 1/(1−p)', () => {
    const d = new Dropout(0.25, { random: new Random(4) });
    const y = values(d.forward(tf.fill([100, 100], 3)));
    const zeros = y.filter((v) => v === 0).length;
    expect(y.every((v) => v === 0 || Math.abs(v - 4) < 1e-6)).toBe(true);
    expect(zeros / y.length).toBeGreaterThan(0.22);
    expect(zeros / y.length).toBeLessThan(0.28);
  });

  it('is reproducible from the seed', () => {
    const run = (): number[] => values(new Dropout(0.5, { random: new Random(42) }).forward(tf.ones([50])));
    expect(run()).toEqual(run());
    expect(values(new Dropout(0.5, { random: new Random(43) }).forward(tf.ones([50])))).not.toEqual(run());
  });

  it('Dropout2d drops whole channels of each sample ([N, 1, 1, C] mask)', () => {
    const d = new Dropout2d(0.5, { random: new Random(8) });
    const y = d.forward(tf.ones([4, 3, 3, 16])).arraySync() as number[][][][];
    let dropped = 0;
    for (let n = 0; n < 4; n++) {
      for (let c = 0; c < 16; c++) {
        const channel = y[n].flatMap((row) => row.map((px) => px[c]));
        expect(new Set(channel).size).toBe(1);
        expect([0, 2]).toContain(channel[0]);
        if (channel[0] === 0) dropped++;
      }
    }
    expect(dropped).toBeGreaterThan(16);
    expect(dropped).toBeLessThan(48);
  });

  it('p = 0 keeps everything, p = 1 drops everything (no NaN)', () => {
    expect(values(new Dropout(0).forward(tf.ones([5])))).toEqual([1, 1, 1, 1, 1]);
    expect(values(new Dropout(1).forward(tf.ones([5])))).toEqual([0, 0, 0, 0, 0]);
  });

  it('throws on p outside [0, 1] and on non-4-d input to Dropout2d', () => {
    expect(() => new Dropout(1.5)).toThrow(/Dropout: probability p is 1.5; expected a number in \[0, 1\]/);
    expect(() => new Dropout2d(-0.1)).toThrow(/Dropout2d: probability p/);
    expect(() => new Dropout2d().forward(tf.ones([2, 3]))).toThrow(/Dropout2d: input shape \[2, 3\]; expected NHWC \[N, H, W, C\]/);
  });
});
