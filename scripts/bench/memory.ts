/**
 * Benchmark 4 of issue 7: memory over a long stream. A server runs in this process (so that its
 * main thread's tfjs registry can be read) and learns 200,000 items pushed by binary-frame
 * producers while a client asks for a prediction every 50 ms; every 5,000 learned items the
 * process RSS, V8 heap, main-thread `tf.memory()` and the server's Prometheus view are sampled.
 * The report gives the values after warm-up and at the end and the slope after warm-up. The
 * learner thread's memory (its wasm heap and V8 isolate) is inside the process RSS.
 *   npm run bench -- memory [--model default] [--items 200000] [--every 5000]
 *     [--warm-up 20000] [--producers 2] [--json]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { connect } from '../../clients/ts/index.js';
import { SigpropApi } from '../../clients/ts/api.js';
import { loadServerConfig } from '../../src/server/config.js';
import { serve } from '../../src/server/serve.js';
import { benchData, type BenchData } from './bench-data.js';
import { parseModels, type BenchModel } from './bench-models.js';
import { learnCounters } from './learned.js';
import { codeMarkdown, loadAtEndMarkdown, machineInfo, machineMarkdown, type MachineInfo } from './machine.js';
import { sampleMemory, type MemorySample } from './memory-sample.js';
import { produce } from './producers.js';
import { round, slope } from './stats.js';

/** One line of `--help` in `npm run bench`. */
export const summary = 'RSS and tf.memory() over 200,000 learned items: no growth after warm-up (benchmark 4)';

/** How long the stream may take before the run is abandoned, ms. */
const TIMEOUT_MS = 45 * 60_000;
/** Pause between two predictions of the prediction client, ms. */
const PREDICT_EVERY_MS = 50;

/** What to run. */
interface Plan {
  model: BenchModel;
  items: number;
  every: number;
  warmUp: number;
  producers: number;
}

/** A sampled quantity: its name, how to read it, and the growth still called flat. */
interface Quantity {
  name: string;
  read: (s: MemorySample) => number;
  digits: number;
  /** Largest growth after warm-up that is not growth (noise), from the warm-up value. */
  tolerance: (atWarmUp: number) => number;
}

const QUANTITIES: Quantity[] = [
  { name: 'RSS (MiB)', read: (s) => s.rss, digits: 1, tolerance: (v) => Math.max(8, 0.03 * v) },
  { name: 'RSS from `/metrics` (MiB)', read: (s) => s.promRss, digits: 1, tolerance: (v) => Math.max(8, 0.03 * v) },
  { name: 'V8 heap used, main thread (MiB)', read: (s) => s.heapUsed, digits: 1, tolerance: (v) => Math.max(8, 0.1 * v) },
  { name: 'external (MiB)', read: (s) => s.external, digits: 1, tolerance: (v) => Math.max(4, 0.05 * v) },
  { name: 'ArrayBuffers (MiB)', read: (s) => s.arrayBuffers, digits: 1, tolerance: (v) => Math.max(4, 0.05 * v) },
  { name: 'tf.memory() tensors, main thread', read: (s) => s.tensors, digits: 0, tolerance: () => 0 },
  { name: 'tf.memory() bytes, main thread (MiB)', read: (s) => s.tensorMiB, digits: 2, tolerance: () => 0 },
];

/**
 * Runs the benchmark with command-line `argv` and prints a Markdown report (and, with `--json`,
 * one JSON object with every sample).
 * @throws Error on a malformed option, or when the stream fails or takes longer than 45 minutes.
 */
export async function main(argv: string[]): Promise<void> {
  const { values: args } = parseArgs({
    args: argv,
    options: {
      model: { type: 'string', default: 'default' },
      items: { type: 'string', default: '200000' },
      every: { type: 'string', default: '5000' },
      'warm-up': { type: 'string', default: '20000' },
      producers: { type: 'string', default: '2' },
      json: { type: 'boolean', default: false },
    },
  });
  const plan: Plan = { model: parseModels(args.model)[0], items: Number(args.items), every: Number(args.every), warmUp: Number(args['warm-up']), producers: Number(args.producers) };
  if (!(plan.warmUp >= plan.every && plan.items >= plan.warmUp + 2 * plan.every)) throw new Error('memory: needs every ≤ warm-up ≤ items − 2 × every');
  const machine = machineInfo();
  const data = benchData();
  const dataDir = mkdtempSync(join(tmpdir(), 'sigprop-bench-memory-'));
  const server = await serve(loadServerConfig({ flags: { host: '127.0.0.1', port: '0', dataDir, logLevel: 'warn' }, env: {} }));
  let samples: MemorySample[];
  try {
    if (!plan.model.builtIn) await new SigpropApi(server.url).request('POST', '/v1/models', { name: plan.model.name, config: plan.model.config });
    samples = await streamAndSample(server.url, plan, data);
  } finally {
    await server.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
  console.log(report(machine, server.engine.backend, data, plan, samples, argv).join('\n'));
  if (args.json) console.log(JSON.stringify({ machine, backend: server.engine.backend, plan: { ...plan, model: plan.model.name }, samples }));
}

/** Pushes the items with predictions alongside, sampling memory every `plan.every` learned items. */
async function streamAndSample(url: string, plan: Plan, data: BenchData): Promise<MemorySample[]> {
  const stop = new AbortController();
  let failure: unknown = null;
  const producing = produce({ url, model: plan.model.name, producers: plan.producers, items: plan.items, binary: true, data }).catch((e: unknown) => (failure ??= e));
  const predicting = predictUntil(url, plan.model.name, data, stop.signal).catch((e: unknown) => (failure ??= e));
  try {
    return await sampleUntil(url, plan, () => failure);
  } finally {
    stop.abort();
    await Promise.all([producing, predicting]);
  }
}

/** Samples memory each time the learned count passes a multiple of `plan.every`, until `plan.items`. */
async function sampleUntil(url: string, plan: Plan, failure: () => unknown): Promise<MemorySample[]> {
  const api = new SigpropApi(url);
  const start = performance.now();
  const samples: MemorySample[] = [];
  let next = plan.every;
  while (next <= plan.items) {
    if (failure() !== null) throw failure();
    if (performance.now() - start > TIMEOUT_MS) throw new Error(`memory: ${plan.items} items not learned within ${TIMEOUT_MS / 60_000} minutes`);
    const { samples: learned } = await learnCounters(api, plan.model.name);
    if (learned >= next) {
      samples.push(await sampleMemory(url, learned, (performance.now() - start) / 1000));
      console.error(`memory bench: ${learned} learned, RSS ${round(samples.at(-1)?.rss ?? 0, 1)} MiB, ${samples.at(-1)?.tensors} tensors`);
      next = (Math.floor(learned / plan.every) + 1) * plan.every;
    } else {
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  }
  return samples;
}

/** Asks for a prediction every {@link PREDICT_EVERY_MS} until `signal` aborts. */
async function predictUntil(url: string, model: string, data: BenchData, signal: AbortSignal): Promise<void> {
  const client = await connect(url, { model, binary: true, reconnect: false });
  try {
    for (let i = 0; !signal.aborted; i++) {
      await client.predict(data.x(i));
      await new Promise((resolve) => setTimeout(resolve, PREDICT_EVERY_MS));
    }
  } finally {
    await client.close();
  }
}

/** The Markdown report: header, the summary per quantity, then the samples every 20,000 items. */
function report(machine: MachineInfo, backendName: string, data: BenchData, plan: Plan, samples: readonly MemorySample[], argv: string[]): string[] {
  const warm = samples.find((s) => s.learned >= plan.warmUp) ?? samples[0];
  const after = samples.filter((s) => s.learned >= warm.learned);
  const end = samples[samples.length - 1];
  return [
    ...machineMarkdown(machine),
    loadAtEndMarkdown(),
    codeMarkdown(),
    `- backend: ${backendName}; model: ${plan.model.label}; ${end.learned} items learned in ${round(end.seconds, 0)} s (${plan.producers} binary-frame producers, a prediction every ${PREDICT_EVERY_MS} ms)`,
    `- server: in the benchmark process (\`serve()\`, default settings, temporary data dir); RSS covers the learner thread (its wasm heap and V8 isolate), the main thread, SQLite and the clients`,
    `- inputs: ${data.name}; sampled every ${plan.every} learned items; warm-up: the first ${plan.warmUp}`,
    `- command: \`npm run bench -- memory${argv.length > 0 ? ` ${argv.join(' ')}` : ''}\``,
    '',
    `| quantity | after warm-up (${warm.learned} items) | end (${end.learned} items) | change | slope after warm-up per 100k items | growth? |`,
    '|---|---|---|---|---|---|',
    ...QUANTITIES.map((q) => quantityRow(q, warm, end, after)),
    '',
    '| items learned | s | RSS MiB | heap used MiB | external MiB | ArrayBuffers MiB | tensors (main) | tensor MiB (main) | `/metrics` RSS MiB |',
    '|---|---|---|---|---|---|---|---|---|',
    ...samples.filter((s, i) => i === samples.length - 1 || Math.floor(s.learned / 20_000) > Math.floor((samples[i - 1]?.learned ?? 0) / 20_000)).map(sampleRow),
  ];
}

/** The summary row of one quantity: values, change, slope, and whether the growth exceeds its noise tolerance. */
function quantityRow(q: Quantity, warm: MemorySample, end: MemorySample, after: readonly MemorySample[]): string {
  const rate = slope(after.map((s) => s.learned), after.map(q.read)) * 100_000;
  const projected = rate * ((end.learned - warm.learned) / 100_000);
  const grows = projected > q.tolerance(q.read(warm));
  return `| ${q.name} | ${round(q.read(warm), q.digits)} | ${round(q.read(end), q.digits)} | ${round(q.read(end) - q.read(warm), q.digits)} | ${round(rate, q.digits + 1)} | ${grows ? '**yes**' : 'no'} |`;
}

/** One row of the sample table. */
function sampleRow(s: MemorySample): string {
  return `| ${s.learned} | ${round(s.seconds, 0)} | ${round(s.rss, 1)} | ${round(s.heapUsed, 1)} | ${round(s.external, 1)} | ${round(s.arrayBuffers, 1)} | ${s.tensors} | ${round(s.tensorMiB, 2)} | ${round(s.promRss, 1)} |`;
}
