import * as tf from '@tensorflow/tfjs';
import { fromConfig, backend } from './src/index.js';
await backend.init({ backend: 'wasm' });
const B = Number(process.argv[2] ?? 128);
const c = fromConfig({ inputShape: [784], classes: 10, architecture: { name: 'mlp', numLayers: 2, numHidden: 1024 },
  signal: { kind: 'projection-context-input', targets: 'per-sample' }, loss: { name: 'v14' }, optimizer: { kind: 'adam', lr: 5e-4 }, seed: 1 });
const x = tf.randomNormal([B, 784]); const y = tf.tensor1d(Array.from({ length: B }, (_, i) => i % 10), 'int32');
for (let i = 0; i < 10; i++) { const r = c.learn(x, y); r.logits.dataSync(); tf.dispose([r.logits, r.loss]); }
let t = performance.now(); const N = 20;
for (let i = 0; i < N; i++) { const r = c.learn(x, y); r.logits.dataSync(); tf.dispose([r.logits, r.loss]); }
console.log('ms/step', (performance.now() - t) / N);
const agg = new Map<string, [number, number]>();
const info = await tf.profile(() => { for (let i = 0; i < 5; i++) { const r = c.learn(x, y); r.logits.dataSync(); tf.dispose([r.logits, r.loss]); } });
for (const k of info.kernels) { const a = agg.get(k.name) ?? [0, 0]; a[0] += (k.kernelTimeMs as number) / 5; a[1] += 1 / 5; agg.set(k.name, a); }
const rows = [...agg].sort((a, b) => b[1][0] - a[1][0]);
let total = 0; for (const [, [ms]] of rows) total += ms;
console.log('kernel total ms/step', total.toFixed(1), 'kernels/step', rows.reduce((s, r) => s + r[1][1], 0));
for (const [n, [ms, cnt]] of rows.slice(0, 25)) console.log(n.padEnd(28), ms.toFixed(2), cnt);
