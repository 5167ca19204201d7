/**
 * Benchmark 1 and 5 of issue 7: the library's training throughput on Fashion-MNIST (the
 * reference MLP) side by side with `shared/bench/torch_reference.py`, with the prequential and
 * test accuracy of every run. For each configuration it runs ours and torch alternately (the
 * order flips every pair, so drifting load on a shared machine hits both), on the same sample
 * count, and reports samples/s, the ratio of each pair and the median ratio.
 *   npm run bench -- library [--configs v1:1:3000,v14:32:20000,v14:128:60000] [--pairs 3]
 *     [--backend wasm] [--torch-blas same|default] [--python /usr/bin/python3] [--json]
 */
import { parseArgs } from 'node:util';
import { fileURLToPath } from 'node:url';
import { runJson } from './child.js';
import { machineInfo, machineMarkdown } from './machine.js';
import { median, round } from './stats.js';
import type { TrainRunResult } from './train-run.js';
import { nativeStatus } from '../../src/sigprop/backend/native.js';

/** One line of `--help` in `npm run bench`. */
export const summary = 'training throughput and accuracy of the library vs the PyTorch reference (benchmarks 1 and 5)';

/** The JSON line of `torch_reference.py`. */
interface TorchResult {
  impl: string;
  samples: number;
  train_samples_per_s: number;
  prequential_acc: number;
  test_acc: number;
  threads: number;
}

/** A configuration to race: loss, batch size and training samples. */
interface Config {
  loss: 'v1' | 'v14';
  batch: number;
  samples: number;
}

interface Pair {
  ours: TrainRunResult;
  torch: TorchResult;
  ratio: number;
}

const USAGE = `npm run bench -- library [options]
  --configs loss:batch[:samples],...  what to race (default v1:1:3000,v14:32:20000,v14:128:60000; loss v1 or v14)
  --pairs N                           runs of ours and torch per configuration, alternating; pair n uses seed n (default 3)
  --backend NAME                      our backend (default wasm)
  --stages auto|N                     threads our model learns in (a Pipeline; default auto: 2 on 2+ cores)
  --torch-blas same|default           torch's OpenBLAS core type: ours (default) or its own detection
  --python PATH                       the Python with torch (default /usr/bin/python3)
  --torch-script PATH                 default ../shared/bench/torch_reference.py
  --json                              also print every run as one JSON object`;

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const DEFAULT_TORCH = fileURLToPath(new URL('../../../shared/bench/torch_reference.py', import.meta.url));

/**
 * Runs the benchmark with command-line `argv` and prints a Markdown report (and, with `--json`,
 * one JSON object with every run).
 * @throws Error on a malformed `--configs` or when a run fails.
 */
export async function main(argv: string[]): Promise<void> {
  const { values: args } = parseArgs({
    args: argv,
    options: {
      configs: { type: 'string', default: 'v1:1:3000,v14:32:20000,v14:128:60000' },
      pairs: { type: 'string', default: '3' },
      backend: { type: 'string', default: 'wasm' },
      stages: { type: 'string', default: 'auto' },
      'torch-blas': { type: 'string', default: 'same' },
      python: { type: 'string', default: '/usr/bin/python3' },
      'torch-script': { type: 'string', default: DEFAULT_TORCH },
      json: { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
    },
  });
  if (args.help) {
    console.log(USAGE);
    return;
  }
  const machine = machineInfo();
  const configs = parseConfigs(args.configs);
  const runs: Array<{ config: Config; pairs: Pair[] }> = [];
  for (const config of configs) {
    const pairs: Pair[] = [];
    for (let i = 0; i < Number(args.pairs); i++) {
      pairs.push(await racePair(config, i + 1, args));
      console.error(`library bench: ${label(config)} pair ${i + 1}: ratio ${pairs[i].ratio}`);
    }
    runs.push({ config, pairs });
  }
  console.log(report(machine, runs, args).join('\n'));
  if (args.json) console.log(JSON.stringify({ machine, runs }));
}

/** Parses `loss:batch:samples,...` (samples default 60,000). */
function parseConfigs(spec: string): Config[] {
  return spec.split(',').map((item) => {
    const [loss, batch, samples = '60000'] = item.split(':');
    if ((loss !== 'v1' && loss !== 'v14') || !(Number(batch) >= 1) || !(Number(samples) >= 2)) {
      throw new Error(`--configs: '${item}' is not loss:batch[:samples] with loss v1 or v14 (the torch script's), batch ≥ 1`);
    }
    return { loss, batch: Number(batch), samples: Number(samples) };
  });
}

/**
 * Pair `n` (from 1): one run of ours and one of torch with seed `n` (one run's test accuracy
 * varies by several points with the seed, so the pairs differ in seed), torch first when n is even.
 */
async function racePair(config: Config, n: number, args: { backend: string; stages: string; 'torch-blas': string; python: string; 'torch-script': string }): Promise<Pair> {
  const torchFirst = n % 2 === 0;
  const common = ['--loss', config.loss, '--batch', String(config.batch), '--samples', String(config.samples), '--seed', String(n)];
  const runOurs = (): Promise<TrainRunResult> =>
    progress(`${label(config)} pair ${n}: ours`, runJson<TrainRunResult>(process.execPath, ['--import', 'tsx', `${ROOT}scripts/fidelity.ts`, ...common, '--backend', args.backend, '--stages', args.stages]));
  const runTorch = (): Promise<TorchResult> => progress(`${label(config)} pair ${n}: torch`, runJson<TorchResult>(args.python, [args['torch-script'], ...common], torchEnv(args['torch-blas'])));
  const [torch, ours] = torchFirst ? [await runTorch(), await runOurs()] : await runOurs().then(async (o) => [await runTorch(), o] as const);
  return { ours, torch, ratio: round(ours.train_samples_per_s / torch.train_samples_per_s, 3) };
}

/** Reports on stderr when a run starts and ends (a run of 60,000 samples takes minutes). */
async function progress<T extends { train_samples_per_s: number }>(what: string, run: Promise<T>): Promise<T> {
  console.error(`library bench: ${what} running…`);
  const result = await run;
  console.error(`library bench: ${what} ${result.train_samples_per_s} samples/s`);
  return result;
}

/**
 * Torch's environment. With `same`, torch's OpenBLAS gets the core type ours chose (OpenBLAS
 * 0.3.21 misdetects recent CPUs and falls back to slow kernels; giving ours the right kernels and
 * not torch would flatter ours). With `default`, torch runs as a user would start it.
 */
function torchEnv(mode: string): NodeJS.ProcessEnv {
  if (mode === 'default') return process.env;
  if (mode !== 'same') throw new Error(`--torch-blas is '${mode}'; expected same or default`);
  // The library's choice on this machine (it loads the native kernels here too, harmlessly).
  const { coreType } = nativeStatus();
  return coreType === undefined ? process.env : { ...process.env, OPENBLAS_CORETYPE: coreType };
}

function label(config: Config): string {
  return `${config.loss} batch ${config.batch} (${config.samples} samples)`;
}

/** The Markdown report: header, one row per pair, one summary row per configuration. */
function report(machine: ReturnType<typeof machineInfo>, runs: Array<{ config: Config; pairs: Pair[] }>, args: { backend: string; 'torch-blas': string }): string[] {
  const first = runs[0]?.pairs[0];
  const native = first?.ours.kernels.native;
  const lines = [
    ...machineMarkdown(machine),
    `- ours: backend ${first?.ours.backend}; learning in ${first?.ours.stages} thread(s) (pipeline stages); kernels ${JSON.stringify(first?.ours.kernels.kernels)}; ${native?.loaded ? native.config : `not loaded (${native?.reason})`}`,
    `- torch: ${first?.torch.impl}, ${first?.torch.threads} intra-op thread(s); OpenBLAS core type ${args['torch-blas'] === 'same' ? `as ours (${native?.coreType ?? 'auto'})` : 'auto-detected'}`,
    '',
    '| config | pair | ours samples/s | torch samples/s | ratio | ours preq | torch preq | ours test | torch test |',
    '|---|---|---|---|---|---|---|---|---|',
  ];
  for (const { config, pairs } of runs) {
    pairs.forEach((p, i) => lines.push(`| ${label(config)} | ${i + 1} | ${p.ours.train_samples_per_s} | ${p.torch.train_samples_per_s} | ${p.ratio} | ${pct(p.ours.prequential_acc)} | ${pct(p.torch.prequential_acc)} | ${pct(p.ours.test_acc)} | ${pct(p.torch.test_acc)} |`));
    const med = (f: (p: Pair) => number): number => median(pairs.map(f));
    lines.push(`| **${label(config)}** | **median** | ${round(med((p) => p.ours.train_samples_per_s), 1)} | ${round(med((p) => p.torch.train_samples_per_s), 1)} | **${round(med((p) => p.ratio), 3)}** | ${pct(med((p) => p.ours.prequential_acc))} | ${pct(med((p) => p.torch.prequential_acc))} | ${pct(med((p) => p.ours.test_acc))} | ${pct(med((p) => p.torch.test_acc))} |`);
  }
  return lines;
}

function pct(v: number): string {
  return `${(v * 100).toFixed(1)} %`;
}
