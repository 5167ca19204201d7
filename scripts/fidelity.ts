/**
 * Trains the reference configuration (the MLP of `shared/bench/torch_reference.py`) on
 * Fashion-MNIST for one pass in random order, predicting each batch before learning it, and
 * prints one JSON line with the same keys as the reference script (plus the backend and the
 * kernels in use):
 *   npm run fidelity -- --loss v14 --batch 128 --samples 60000 [--backend wasm] [--hidden 1024]
 *     [--stages auto|N]  (threads to learn in; results are the same for every N)
 * Needs Debian's `dataset-fashion-mnist`.
 */
import { parseArgs } from 'node:util';
import { trainRun, TRAIN_RUN_DEFAULTS as D, type TrainRunOptions } from './bench/train-run.js';

const { values: args } = parseArgs({
  options: {
    loss: { type: 'string', default: D.loss },
    batch: { type: 'string', default: String(D.batch) },
    samples: { type: 'string', default: String(D.samples) },
    hidden: { type: 'string', default: String(D.hidden) },
    lr: { type: 'string', default: String(D.lr) },
    seed: { type: 'string', default: String(D.seed) },
    k: { type: 'string', default: String(D.k) },
    backend: { type: 'string', default: D.backend },
    stages: { type: 'string', default: String(D.stages) },
  },
});

const result = await trainRun({
  loss: args.loss as TrainRunOptions['loss'],
  batch: Number(args.batch),
  samples: Number(args.samples),
  hidden: Number(args.hidden),
  lr: Number(args.lr),
  seed: Number(args.seed),
  k: Number(args.k),
  backend: args.backend as TrainRunOptions['backend'],
  stages: args.stages === 'auto' ? 'auto' : Number(args.stages),
});
console.log(JSON.stringify(result));
