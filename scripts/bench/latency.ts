/**
 * Benchmark 3 of issue 7: prediction latency as a client sees it (round trip over WebSocket,
 * `client.predict` to its reply), one prediction at a time with 0–2 ms pauses, with an idle
 * learner and with a saturated one (producers in another process pushing learn items as fast as
 * backpressure allows, so that the learner always has a backlog), for each model and frame format.
 * With `--breakdown` it prints instead where the round trips go (see `latency-breakdown.ts`), for
 * the first format.
 *   npm run bench -- latency [--models default,reference] [--formats json,binary]
 *     [--predictions 2000] [--producers 4] [--breakdown] [--json]
 */
import { parseArgs } from 'node:util';
import { benchData, type BenchData } from './bench-data.js';
import { parseModels, type BenchModel } from './bench-models.js';
import { learnCounters, waitForBacklog } from './learned.js';
import { codeMarkdown, loadAtEndMarkdown, machineInfo, machineMarkdown, type MachineInfo } from './machine.js';
import { prepareSaturator, SATURATED_QUEUE } from './saturator.js';
import { SERVE_COMMAND, startServerProcess, type ServerProcess } from './server-process.js';
import { percentile, round } from './stats.js';
import { timePredictions, WARM_UP_PREDICTIONS } from './predict-timing.js';
import { breakdownMarkdown, type Breakdown } from './latency-breakdown.js';
import { inFreshProcess } from './fresh-process.js';

/** One line of `--help` in `npm run bench`. */
export const summary = 'prediction latency p50/p99/max over WebSocket, idle and saturated learner (benchmark 3)';

/** The latencies of one model, learner state and frame format. */
interface Row {
  model: BenchModel;
  learner: 'idle' | 'saturated';
  binary: boolean;
  count: number;
  p50: number;
  p99: number;
  max: number;
  /** Items the server learned per second meanwhile, and its backlog at the end. */
  learnedPerS: number;
  queuedAtEnd: number;
}

/**
 * Runs the benchmark with command-line `argv` and prints a Markdown report (and, with `--json`,
 * one JSON object with every row).
 * @throws Error on a malformed option, when the server fails or the learner cannot be saturated.
 */
export async function main(argv: string[]): Promise<void> {
  const { values: args } = parseArgs({
    args: argv,
    options: {
      models: { type: 'string', default: 'default,reference' },
      formats: { type: 'string', default: 'json,binary' },
      predictions: { type: 'string', default: '2000' },
      producers: { type: 'string', default: '4' },
      breakdown: { type: 'boolean', default: false },
      json: { type: 'boolean', default: false },
    },
  });
  const machine = machineInfo();
  const formats = args.formats.split(',').map((f) => f.trim() === 'binary');
  const settings = { formats, predictions: Number(args.predictions), producers: Number(args.producers) };
  if (args.breakdown) return printBreakdown(machine, parseModels(args.models), { ...settings, binary: formats[0] }, argv, args.json);
  const data = benchData();
  const rows: Row[] = [];
  let backendName = '';
  for (const model of parseModels(args.models)) {
    const server = await startServerProcess([model]);
    try {
      backendName = (await server.api.info()).backend;
      rows.push(...(await measureModel(server, model, data, settings)));
    } finally {
      await server.stop(5000);
    }
  }
  console.log(report(machine, backendName, data, rows, settings.producers, argv).join('\n'));
  if (args.json) console.log(JSON.stringify({ machine, backend: backendName, rows: rows.map(({ model, ...r }) => ({ model: model.name, ...r })) }));
}

/** Measures and prints the breakdown of every model (and, with `json`, one JSON object). */
async function printBreakdown(machine: MachineInfo, models: BenchModel[], settings: { binary: boolean; predictions: number; producers: number }, argv: string[], json: boolean): Promise<void> {
  const breakdowns: Breakdown[] = [];
  for (const model of models) breakdowns.push(...(await inFreshProcess('latency-breakdown', { model: model.name, settings })).breakdowns);
  console.log([
    ...machineMarkdown(machine),
    loadAtEndMarkdown(),
    codeMarkdown(),
    `- backend: ${breakdowns[0]?.backend}`,
    `- server: \`serve()\` (default settings) in a fresh process per model, main-thread tasks timed by wrapping the engine's methods; client: SDK \`predict\` round trips from another process, one at a time, 0–2 ms apart; saturated: ${settings.producers} producers (binary frames) in another process`,
    `- command: \`npm run bench -- latency${argv.length > 0 ? ` ${argv.join(' ')}` : ''}\``,
    ...breakdowns.flatMap((b) => ['', ...breakdownMarkdown(b)]),
  ].join('\n'));
  if (json) console.log(JSON.stringify({ machine, breakdowns: breakdowns.map(({ model, ...b }) => ({ model: model.name, ...b })) }));
}

/** The rows of one model: idle learner first, then saturated. */
async function measureModel(server: ServerProcess, model: BenchModel, data: BenchData, settings: { formats: boolean[]; predictions: number; producers: number }): Promise<Row[]> {
  const rows = await measureState(server, model, data, 'idle', settings);
  const saturator = prepareSaturator(model.name, settings.producers);
  saturator.go(server.url);
  try {
    await waitForBacklog(server.api, model.name, SATURATED_QUEUE);
    rows.push(...(await measureState(server, model, data, 'saturated', settings)));
  } finally {
    await saturator.stop(30_000);
  }
  return rows;
}

/** One row per frame format, in the learner state the caller set up. */
async function measureState(server: ServerProcess, model: BenchModel, data: BenchData, learner: Row['learner'], settings: { formats: boolean[]; predictions: number }): Promise<Row[]> {
  const rows: Row[] = [];
  for (const binary of settings.formats) {
    const before = await learnCounters(server.api, model.name);
    const latencies = (await timePredictions(server.url, model.name, binary, data, settings.predictions)).map((p) => p.ms);
    const after = await learnCounters(server.api, model.name);
    const status = await server.api.model(model.name);
    rows.push({
      model, learner, binary, count: latencies.length,
      p50: round(percentile(latencies, 50), 2),
      p99: round(percentile(latencies, 99), 2),
      max: round(Math.max(...latencies), 2),
      learnedPerS: round((after.samples - before.samples) / ((after.atMs - before.atMs) / 1000), 1),
      queuedAtEnd: status.queued,
    });
    console.error(`latency bench: ${model.name} ${learner} ${binary ? 'binary' : 'json'}: p50 ${rows.at(-1)?.p50} p99 ${rows.at(-1)?.p99} max ${rows.at(-1)?.max} ms`);
  }
  return rows;
}

/** The Markdown report: header and one row per model, learner state and frame format. */
function report(machine: MachineInfo, backendName: string, data: BenchData, rows: readonly Row[], producers: number, argv: string[]): string[] {
  return [
    ...machineMarkdown(machine),
    loadAtEndMarkdown(),
    codeMarkdown(),
    `- backend: ${backendName}`,
    `- server: child process \`${SERVE_COMMAND}\` (defaults: predictions from weight snapshots published at most every 100 ms)`,
    `- client: SDK \`predict\` round trips, one at a time, 0–2 ms apart, after ${WARM_UP_PREDICTIONS} untimed; saturated: ${producers} producers (binary frames) in another process keep the learner's queue ≥ ${SATURATED_QUEUE} items`,
    `- inputs: ${data.name}`,
    `- command: \`npm run bench -- latency${argv.length > 0 ? ` ${argv.join(' ')}` : ''}\``,
    '',
    '| model | learner | frames | predictions | p50 ms | p99 ms | max ms | learned items/s meanwhile | queued at end |',
    '|---|---|---|---|---|---|---|---|---|',
    ...rows.map((r) => `| ${r.model.label} | ${r.learner} | ${r.binary ? 'binary' : 'JSON'} | ${r.count} | ${r.p50} | **${r.p99}** | ${r.max} | ${r.learnedPerS} | ${r.queuedAtEnd} |`),
  ];
}
