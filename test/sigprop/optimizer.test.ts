import { describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { optim } from '../../src/sigprop/index.js';
import { KINDS, type StepCoefficients } from '../../src/sigprop/optim/kinds.js';
import { tensorUpdate, type ArrayRule } from '../../src/sigprop/optim/fused-update.js';
import { adamUpdate, momentumUpdate, sgdUpdate } from '../../src/sigprop/optim/update-rules.js';
import { Random } from '../../src/sigprop/utils/random.js';
import { BACKENDS, useBackend } from '../helpers/backends.js';
import { relativeError } from '../helpers/fixtures.js';
import { seeded } from '../helpers/matmul.js';

const CONFIGS: optim.OptimizerConfig[] = [
  { kind: 'sgd', lr: 0.1 },
  { kind: 'sgd', lr: 0.1, weightDecay: 0.01 },
  { kind: 'momentum', lr: 0.05, momentum: 0.8 },
  { kind: 'momentum', lr: 0.05, momentum: 0.9, weightDecay: 0.01 },
  { kind: 'adam', lr: 1e-3 },
  { kind: 'adam', lr: 5e-4, beta1: 0.8, beta2: 0.99, epsilon: 1e-6, weightDecay: 1e-3 },
];

/** PyTorch's update formulas in double precision, one parameter array, written from the docs. */
function torchReference(config: optim.OptimizerConfig, p0: Float32Array, grads: Float32Array[]): number[] {
  const p = Array.from(p0);
  const [m, v, buf] = [p.map(() => 0), p.map(() => 0), p.map(() => 0)];
  const [b1, b2, eps, wd] = [config.beta1 ?? 0.9, config.beta2 ?? 0.999, config.epsilon ?? 1e-8, config.weightDecay ?? 0];
  grads.forEach((g, s) => {
    const t = s + 1;
    p.forEach((pi, i) => {
      const d = g[i] + wd * pi;
      if (config.kind === 'sgd') p[i] = pi - config.lr * d;
      else if (config.kind === 'momentum') {
        buf[i] = t === 1 ? d : (config.momentum ?? 0.9) * buf[i] + d;
        p[i] = pi - config.lr * buf[i];
      } else {
        m[i] = b1 * m[i] + (1 - b1) * d;
        v[i] = b2 * v[i] + (1 - b2) * d * d;
        p[i] = pi - (config.lr / (1 - b1 ** t)) * m[i] / (Math.sqrt(v[i]) / Math.sqrt(1 - b2 ** t) + eps);
      }
    });
  });
  return p;
}

/** Steps an Optimizer over one variable with the seeded gradients; returns the final values. */
function stepOptimizer(config: optim.OptimizerConfig, grads: tf.Tensor[]): Float32Array {
  const w = tf.variable(seeded([7, 5], 1));
  const optimizer = new optim.Optimizer(config, [w]);
  for (const g of grads) optimizer.apply({ [w.name]: g.clone() });
  const values = Float32Array.from(w.dataSync());
  optimizer.dispose();
  w.dispose();
  return values;
}

/** The JavaScript array rule of `kind` (what `KINDS` uses without the native kernels). */
function jsRule(kind: optim.OptimizerConfig['kind'], c: StepCoefficients): ArrayRule {
  if (kind === 'sgd') return ([p], g, [pOut]) => sgdUpdate(p, g, pOut, c);
  if (kind === 'momentum') return ([p, b], g, [pOut, bOut]) => momentumUpdate(p, g, b, pOut, bOut, c);
  return ([p, m, v], g, [pOut, mOut, vOut]) => adamUpdate(p, g, m, v, pOut, mOut, vOut, c);
}

/** A variable owning its data alone (the tensor it was made from is disposed). */
function variable(t: tf.Tensor): tf.Variable {
  const v = tf.variable(t);
  t.dispose();
  return v;
}

const gradients = (): tf.Tensor[] => [11, 12, 13].map((seed) => seeded([7, 5], seed));

describe('update rules over arrays (the JavaScript loops, used when the native kernels are absent)', () => {
  for (const config of CONFIGS) {
    it(`${JSON.stringify(config)}: three steps follow PyTorch's formulas`, () => {
      const p0 = new Float32Array(new Random(1).uniform(35, 1));
      const grads = [11, 12, 13].map((seed) => new Float32Array(new Random(seed).uniform(35, 1)));
      const [p, slots] = [p0.slice(), KINDS[config.kind].slots.map(() => new Float32Array(35))];
      const c = { weightDecay: 0, momentum: 0.9, beta1: 0.9, beta2: 0.999, epsilon: 1e-8, ...config };
      grads.forEach((g, s) => jsRule(config.kind, { ...c, step: s + 1 })([p, ...slots], g, [p, ...slots]));
      expect(relativeError(p, torchReference(config, p0, grads))).toBeLessThan(1e-6);
    });
  }
});

describe.each(BACKENDS)('fused optimizer on %s', (backend) => {
  for (const config of CONFIGS) {
    it(`${JSON.stringify(config)}: three steps follow PyTorch's formulas`, async () => {
      await useBackend(backend);
      const grads = gradients();
      const actual = stepOptimizer(config, grads);
      const expected = torchReference(config, seeded([7, 5], 1).dataSync() as Float32Array, grads.map((g) => g.dataSync() as Float32Array));
      expect(relativeError(actual, expected)).toBeLessThan(1e-6);
      tf.dispose(grads);
    });

    it(`${JSON.stringify(config)}: equals the same formulas as tfjs ops (the fallback of other backends)`, async () => {
      await useBackend(backend);
      const grads = gradients();
      const fused = stepOptimizer(config, grads);
      const [w, slots] = [tf.variable(seeded([7, 5], 1)), KINDS[config.kind].slots.map(() => tf.variable(tf.zeros([7, 5])))];
      const c = { weightDecay: 0, momentum: 0.9, beta1: 0.9, beta2: 0.999, epsilon: 1e-8, ...config };
      grads.forEach((grad, s) => tensorUpdate({ param: w, grad, slots }, KINDS[config.kind].tensors({ ...c, step: s + 1 })));
      expect(relativeError(fused, w.dataSync())).toBeLessThan(1e-6);
      tf.dispose([w, ...slots, ...grads]);
    });
  }

  it.each([
    [{ kind: 'sgd', lr: 0.1 } as const, () => tf.train.sgd(0.1)],
    [{ kind: 'momentum', lr: 0.05, momentum: 0.8 } as const, () => tf.train.momentum(0.05, 0.8)],
    [{ kind: 'adam', lr: 1e-3 } as const, () => tf.train.adam(1e-3, 0.9, 0.999, 1e-8)],
  ])('%j agrees with tfjs\'s own optimizer', async (config, make) => {
    await useBackend(backend);
    const grads = gradients();
    const fused = stepOptimizer(config, grads);
    const w = tf.variable(seeded([7, 5], 1));
    const reference = make();
    for (const g of grads) reference.applyGradients({ [w.name]: g });
    expect(relativeError(fused, w.dataSync())).toBeLessThan(1e-5);
    reference.dispose();
    tf.dispose([w, ...grads]);
  });

  it('updates in place when nothing else holds the data, and into a new buffer when a snapshot does', async () => {
    await useBackend(backend);
    const w = variable(seeded([4, 3], 1));
    const optimizer = new optim.Optimizer({ kind: 'adam', lr: 0.1 }, [w]);
    const g = seeded([4, 3], 2);
    const id = w.dataId;
    optimizer.apply({ [w.name]: g.clone() });
    optimizer.apply({ [w.name]: g.clone() });
    expect(w.dataId).toBe(id);
    const snapshot = w.clone();
    const [before, m] = [Float32Array.from(snapshot.dataSync()), optimizer.exportState().slots.m[0].value.clone()];
    const mBefore = Float32Array.from(m.dataSync());
    optimizer.apply({ [w.name]: g.clone() });
    expect(w.dataId).not.toBe(id);
    expect(Float32Array.from(snapshot.dataSync())).toEqual(before);
    expect(Float32Array.from(m.dataSync())).toEqual(mBefore);
    expect(Float32Array.from(w.dataSync())).not.toEqual(before);
    const tensors = tf.memory().numTensors;
    optimizer.apply({ [w.name]: g.clone() });
    expect(tf.memory().numTensors).toBe(tensors);
    optimizer.dispose();
    tf.dispose([w, g, snapshot, m]);
  });

  it('conv2d and fused matMul see weights updated in place (wasm caches operators per weight tensor)', async () => {
    await useBackend(backend);
    const [x, xm] = [seeded([1, 5, 5, 2], 3) as tf.Tensor4D, seeded([3, 6], 4) as tf.Tensor2D];
    const [filter, kernel] = [variable(seeded([3, 3, 2, 4], 5)), variable(seeded([6, 4], 6))];
    const optimizer = new optim.Optimizer({ kind: 'sgd', lr: 0.5 }, [filter, kernel]);
    const outputs = (): [tf.Tensor, tf.Tensor] => [tf.conv2d(x, filter as tf.Tensor4D, 1, 'same'), tf.fused.matMul({ a: xm, b: kernel as tf.Tensor2D })];
    tf.dispose(outputs()); // builds and caches the operators with the current weights
    optimizer.apply({ [filter.name]: tf.onesLike(filter), [kernel.name]: tf.onesLike(kernel) });
    const [conv, dense] = outputs();
    const [freshFilter, freshKernel] = [tf.tensor(filter.dataSync(), filter.shape), tf.tensor(kernel.dataSync(), kernel.shape)];
    expect(relativeError(conv.dataSync(), tf.conv2d(x, freshFilter as tf.Tensor4D, 1, 'same').dataSync())).toBeLessThan(1e-6);
    expect(relativeError(dense.dataSync(), tf.matMul(xm, freshKernel).dataSync())).toBeLessThan(1e-6);
    optimizer.dispose();
    tf.dispose([x, xm, filter, kernel, conv, dense, freshFilter, freshKernel]);
  });
});
