/**
 * Benchmark 2 of issue 7: the server's end-to-end learning throughput. Producers (SDK clients,
 * 1 and 8 connections, JSON and binary frames) push labelled items over WebSocket to a server
 * child process as fast as backpressure allows; a run ends when every item is acknowledged and
 * learned (`GET /v1/models/:model` reports `samples` == sent). Right after each run the library
 * trains the same config directly, on the same inputs, in the batch sizes the server's adaptive
 * batching used (its samples / its updates), and the report gives the ratio.
 * Both models get more items than the server's queue holds (10,000), so that acks wait for
 * learning and acks/s is a sustained rate. With `--breakdown` it prints instead where the learner
 * thread's time goes (see `server-breakdown.ts`).
 *   npm run bench -- server [--models default,reference] [--formats binary,json]
 *     [--producers 1,8] [--items default:30000,reference:20000] [--breakdown [--seconds 20]] [--json]
 */
import { parseArgs } from 'node:util';
import type { backend } from '../../src/index.js';
import { benchData, type BenchData } from './bench-data.js';
import { parseModels, type BenchModel } from './bench-models.js';
import { learnCounters, waitLearned } from './learned.js';
import { codeMarkdown, loadAtEndMarkdown, machineInfo, machineMarkdown, type MachineInfo } from './machine.js';
import { produce } from './producers.js';
import { SERVE_COMMAND, startServerProcess, type ServerProcess } from './server-process.js';
import { round } from './stats.js';
import { serverBreakdownMarkdown, type ServerBreakdown } from './server-breakdown.js';
import { inFreshProcess } from './fresh-process.js';

/** One line of `--help` in `npm run bench`. */
export const summary = 'server learn throughput over WebSocket vs the library at the same batch sizes (benchmark 2)';

/** Producers of the breakdown (in another process, binary frames). */
const BREAKDOWN_PRODUCERS = 4;

/** One run: a model, a frame format and a number of producers. */
interface Cell {
  model: BenchModel;
  binary: boolean;
  producers: number;
  items: number;
  acksPerS: number;
  learnedPerS: number;
  steps: number;
  meanBatch: number;
  libraryPerS: number;
  ratio: number;
}

/**
 * Runs the benchmark with command-line `argv` and prints a Markdown report (and, with `--json`,
 * one JSON object with every run).
 * @throws Error on a malformed option or when the server fails.
 */
export async function main(argv: string[]): Promise<void> {
  const { values: args } = parseArgs({
    args: argv,
    options: {
      models: { type: 'string', default: 'default,reference' },
      formats: { type: 'string', default: 'binary,json' },
      producers: { type: 'string', default: '1,8' },
      items: { type: 'string', default: 'default:30000,reference:20000' },
      breakdown: { type: 'boolean', default: false },
      seconds: { type: 'string', default: '20' },
      json: { type: 'boolean', default: false },
    },
  });
  const machine = machineInfo();
  if (args.breakdown) return printBreakdown(machine, parseModels(args.models), Number(args.seconds), argv, args.json);
  const data = benchData();
  const items = parseItems(args.items);
  const formats = args.formats.split(',').map((f) => f.trim() === 'binary');
  const producerCounts = args.producers.split(',').map(Number);
  const cells: Cell[] = [];
  let serverBackend = '';
  for (const model of parseModels(args.models)) {
    const server = await startServerProcess([model]);
    try {
      serverBackend = (await server.api.info()).backend;
      let offset = 0;
      for (const binary of formats) {
        for (const producers of producerCounts) {
          const count = items[model.name] ?? 10_000;
          cells.push(await runCell(server, model, data, { binary, producers, items: count, offset, backend: serverBackend as backend.BackendName }));
          offset += count;
        }
      }
    } finally {
      await server.stop();
    }
  }
  console.log(report(machine, serverBackend, data, cells, argv).join('\n'));
  if (args.json) console.log(JSON.stringify({ machine, backend: serverBackend, cells: cells.map(({ model, ...c }) => ({ model: model.name, ...c })) }));
}

/** Measures and prints the breakdown of every model (and, with `json`, one JSON object). */
async function printBreakdown(machine: MachineInfo, models: BenchModel[], seconds: number, argv: string[], json: boolean): Promise<void> {
  const breakdowns: ServerBreakdown[] = [];
  for (const model of models) breakdowns.push(await inFreshProcess('server-breakdown', { model: model.name, settings: { producers: BREAKDOWN_PRODUCERS, seconds } }));
  console.log([
    ...machineMarkdown(machine),
    loadAtEndMarkdown(),
    codeMarkdown(),
    `- backend: ${breakdowns[0]?.backend}`,
    `- server: \`serve()\` (default settings) in a fresh process per model, the learner's batches and main-thread tasks timed by wrapping the engine's methods, over ${seconds} s with ${BREAKDOWN_PRODUCERS} producers (binary frames) in another process keeping the queue full`,
    `- command: \`npm run bench -- server${argv.length > 0 ? ` ${argv.join(' ')}` : ''}\``,
    ...breakdowns.flatMap((b) => ['', ...serverBreakdownMarkdown(b)]),
  ].join('\n'));
  if (json) console.log(JSON.stringify({ machine, breakdowns: breakdowns.map(({ model, ...b }) => ({ model: model.name, ...b })) }));
}

/** `name:count,...` → counts by model name. */
function parseItems(spec: string): Record<string, number> {
  return Object.fromEntries(
    spec.split(',').map((entry) => {
      const [name, count] = entry.split(':');
      if (!(Number(count) >= 1)) throw new Error(`--items: '${entry}' is not model:count`);
      return [name.trim(), Number(count)];
    }),
  );
}

/** Pushes the items, waits until they are learned, then times the library on the same batches. */
async function runCell(
  server: ServerProcess,
  model: BenchModel,
  data: BenchData,
  run: { binary: boolean; producers: number; items: number; offset: number; backend: backend.BackendName },
): Promise<Cell> {
  const before = await learnCounters(server.api, model.name);
  const pushed = await produce({ url: server.url, model: model.name, producers: run.producers, items: run.items, binary: run.binary, data, offset: run.offset });
  const after = await waitLearned(server.api, model.name, before.samples + pushed.acked);
  const samples = after.samples - before.samples;
  const steps = after.step - before.step;
  const learnedPerS = samples / ((after.atMs - pushed.firstSendMs) / 1000);
  const { samplesPerS: libraryPerS } = await inFreshProcess('library-rate', { config: model.config, samples, steps, offset: run.offset, backend: run.backend });
  const cell: Cell = {
    model,
    binary: run.binary,
    producers: run.producers,
    items: samples,
    acksPerS: round(pushed.acked / ((pushed.lastAckMs - pushed.firstSendMs) / 1000), 1),
    learnedPerS: round(learnedPerS, 1),
    steps,
    meanBatch: round(samples / steps, 2),
    libraryPerS: round(libraryPerS, 1),
    ratio: round(learnedPerS / libraryPerS, 3),
  };
  console.error(`server bench: ${model.name} ${run.binary ? 'binary' : 'json'} ×${run.producers}: ${cell.learnedPerS} learned/s, library ${cell.libraryPerS}/s, ratio ${cell.ratio}`);
  return cell;
}

/** The Markdown report: header and one row per run. */
function report(machine: MachineInfo, serverBackend: string, data: BenchData, cells: readonly Cell[], argv: string[]): string[] {
  return [
    ...machineMarkdown(machine),
    loadAtEndMarkdown(),
    codeMarkdown(),
    `- backend: ${serverBackend} (server learner thread and library run)`,
    `- server: child process \`${SERVE_COMMAND}\`, defaults (maxQueue 10000, overload block); producers: SDK clients in the benchmark process, ≤ 512 unacknowledged items each`,
    `- inputs: ${data.name}`,
    `- command: \`npm run bench -- server${argv.length > 0 ? ` ${argv.join(' ')}` : ''}\``,
    '- acks/s: items / (last ack − first send); learned/s: items / (all learned − first send); library: `fromConfig(config).learn` (a `Pipeline` when the server learner has more than one thread) in a fresh process, on the same inputs in the same number of updates',
    '',
    '| model | frames | producers | items | acks/s | learned items/s | mean batch (samples/steps) | library items/s (same batches) | server / library |',
    '|---|---|---|---|---|---|---|---|---|',
    ...cells.map((c) => `| ${c.model.label} | ${c.binary ? 'binary' : 'JSON'} | ${c.producers} | ${c.items} | ${c.acksPerS} | ${c.learnedPerS} | ${c.meanBatch} | ${c.libraryPerS} | **${c.ratio}** |`),
  ];
}
