/**
 * Trains the reference configuration (the MLP of `shared/bench/torch_reference.py`) on
 * Fashion-MNIST for one pass in random order, predicting each batch before learning it, and
 * prints one JSON line with the same keys as the reference script:
 *   npm run fidelity -- --loss v14 --batch 128 --samples 60000 [--backend wasm] [--hidden 1024]
 * Needs Debian's `dataset-fashion-mnist`.
 */
import { parseArgs } from 'node:util';
import * as tf from '@tensorflow/tfjs';
import { fromConfig, backend } from '../src/index.js';
import { Random } from '../src/sigprop/utils/random.js';
import { loadFashionMnist, standardizeFashionMnist } from '../clients/datasets/fashion-mnist.js';
import type { Dataset } from '../clients/datasets/dataset.js';

const { values: args } = parseArgs({
  options: {
    loss: { type: 'string', default: 'v14' },
    batch: { type: 'string', default: '128' },
    samples: { type: 'string', default: '60000' },
    hidden: { type: 'string', default: '1024' },
    lr: { type: 'string', default: '5e-4' },
    seed: { type: 'string', default: '1' },
    k: { type: 'string', default: '2' },
    backend: { type: 'string', default: 'auto' },
  },
});

const lossName = args.loss as 'v1' | 'v9' | 'v14' | 'v15';
const batch = Number(args.batch);
const active = await backend.init({ backend: args.backend as backend.BackendName });
const classifier = fromConfig({
  inputShape: [784],
  classes: 10,
  architecture: { name: 'mlp', numLayers: 2, numHidden: Number(args.hidden) },
  signal: { kind: 'projection-context-input', targets: lossName === 'v1' ? 'per-class' : 'per-sample' },
  loss: { name: lossName, k: Number(args.k) },
  optimizer: { kind: 'adam', lr: Number(args.lr) },
  seed: Number(args.seed),
});

const train = standardizeFashionMnist(loadFashionMnist('train'));
const test = standardizeFashionMnist(loadFashionMnist('test'));
const order = permutation(train.count, new Random(Number(args.seed))).slice(0, Math.min(Number(args.samples), train.count));

let correct = 0;
let seen = 0;
const start = performance.now();
for (let i = 0; i < order.length; i += batch) {
  const idx = order.slice(i, i + batch);
  if (lossName !== 'v1' && idx.length < 2) continue;
  const [x, y] = gather(train, idx);
  const { logits, loss } = classifier.learn(x, y);
  correct += countCorrect(logits, train, idx);
  seen += idx.length;
  tf.dispose([x, y, logits, loss]);
}
const elapsed = (performance.now() - start) / 1000;

console.log(
  JSON.stringify({
    impl: 'sigprop-stream',
    backend: active.name,
    loss: lossName,
    batch,
    samples: seen,
    train_samples_per_s: Math.round((seen / elapsed) * 10) / 10,
    prequential_acc: round4(correct / seen),
    test_acc: round4(testAccuracy(test)),
  }),
);

/** Fisher–Yates shuffle of 0..n-1 with a seeded generator. */
function permutation(n: number, random: Random): number[] {
  const p = Array.from({ length: n }, (_, i) => i);
  for (let i = n - 1; i > 0; i--) {
    const j = random.int(i + 1);
    [p[i], p[j]] = [p[j], p[i]];
  }
  return p;
}

/** The samples `idx` as tensors `[B, 784]` and int32 `[B]`. */
function gather(data: Dataset, idx: number[]): [tf.Tensor2D, tf.Tensor1D] {
  const x = new Float32Array(idx.length * data.features);
  idx.forEach((s, r) => x.set(data.x.subarray(s * data.features, (s + 1) * data.features), r * data.features));
  return [tf.tensor2d(x, [idx.length, data.features]), tf.tensor1d(idx.map((s) => data.y[s]), 'int32')];
}

function countCorrect(logits: tf.Tensor2D, data: Dataset, idx: number[]): number {
  const pred = tf.tidy(() => logits.argMax(1).dataSync());
  return idx.reduce((n, s, r) => n + (pred[r] === data.y[s] ? 1 : 0), 0);
}

function testAccuracy(data: Dataset): number {
  let right = 0;
  for (let i = 0; i < data.count; i += 1000) {
    const idx = Array.from({ length: Math.min(1000, data.count - i) }, (_, k) => i + k);
    const [x, y] = gather(data, idx);
    const logits = classifier.predict(x);
    right += countCorrect(logits, data, idx);
    tf.dispose([x, y, logits]);
  }
  return right / data.count;
}

function round4(v: number): number {
  return Math.round(v * 10000) / 10000;
}
