/**
 * The breakdown of benchmark 3 (`npm run bench -- latency --breakdown`): where a prediction's
 * round trip goes. The server runs in this process so that its main-thread tasks can be timed
 * ({@link TaskTimer}): SQLite group commits (with their fsync), checkpoint writes and metrics
 * windows; the event loop's delay is sampled too. Forward passes and weight-snapshot loads run in
 * the model's prediction thread, off the main thread. The predicting client (`predict-client.ts`) and the producers that saturate the learner
 * run in other processes. Each prediction slower than the target is matched with the timed tasks
 * (≥ 1 ms) that ran during its round trip.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { SigpropApi } from '../../clients/ts/api.js';
import { loadServerConfig } from '../../src/server/config.js';
import { serve, type ServerHandle } from '../../src/server/serve.js';
import { CheckpointRepository } from '../../src/store/index.js';
import { GroupCommit } from '../../src/stream/group-commit.js';
import { LiveModel } from '../../src/stream/live-model.js';
import type { BenchModel } from './bench-models.js';
import { learnCounters, waitForBacklog } from './learned.js';
import { startWaitingChild, type WaitingChild } from './child.js';
import type { TimedPrediction } from './predict-timing.js';
import { prepareSaturator, SATURATED_QUEUE } from './saturator.js';
import { percentile, round } from './stats.js';
import { TaskTimer, type TaskSummary } from './task-timer.js';

/** Round trips above this are explained (the benchmark's target p99, ms). */
export const TARGET_MS = 5;

const CLIENT_SCRIPT = fileURLToPath(new URL('./predict-client.ts', import.meta.url));

/** What the breakdown of one model and learner state found. */
export interface Breakdown {
  model: BenchModel;
  learner: 'idle' | 'saturated';
  binary: boolean;
  /** The server's tfjs backend. */
  backend: string;
  rtt: { p50: number; p99: number; max: number };
  learnedPerS: number;
  tasks: TaskSummary[];
  loopDelay: { p50: number; p99: number; max: number };
  /** Predictions above {@link TARGET_MS}, by the set of timed tasks that overlapped them. */
  slow: Array<{ tasks: string; count: number }>;
  slowCount: number;
  count: number;
}

/**
 * Measures the breakdown of `model` in both learner states.
 * @throws Error when the server fails or the learner cannot be saturated.
 */
export async function latencyBreakdown(model: BenchModel, settings: { binary: boolean; predictions: number; producers: number }): Promise<Breakdown[]> {
  // Every child first: this process must not fork once the server has loaded the native kernels.
  const clients = [preparePredictClient(model.name, settings), preparePredictClient(model.name, settings)];
  const saturator = prepareSaturator(model.name, settings.producers);
  const timer = taskTimer();
  const dataDir = mkdtempSync(join(tmpdir(), 'sigprop-bench-breakdown-'));
  const server = await serve(loadServerConfig({ flags: { host: '127.0.0.1', port: '0', dataDir, logLevel: 'warn', deadlineMs: '2000' }, env: {} }));
  try {
    const api = new SigpropApi(server.url);
    if (!model.builtIn) await api.request('POST', '/v1/models', { name: model.name, config: model.config });
    const idle = await measure(server, model, timer, 'idle', settings.binary, clients[0]);
    saturator.go(server.url);
    await waitForBacklog(api, model.name, SATURATED_QUEUE);
    return [idle, await measure(server, model, timer, 'saturated', settings.binary, clients[1])];
  } finally {
    await saturator.stop(10_000);
    for (const client of clients) client.kill('SIGKILL');
    timer.restore();
    await server.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

/** The main-thread tasks timed, by the names of the engine's methods. */
function taskTimer(): TaskTimer {
  const timer = new TaskTimer();
  timer.wrap(GroupCommit.prototype, 'flush', 'SQLite group commit (fsync)', (g: { jobs: unknown[] }) => g.jobs.length > 0);
  timer.wrap(CheckpointRepository.prototype, 'save', 'checkpoint write (SQLite)');
  timer.wrap(LiveModel.prototype, 'onLearned', 'learned batch: metrics, checkpoint policy');
  return timer;
}

/** Times the predictions of one learner state with the task timer and the event-loop monitor on. */
async function measure(server: ServerHandle, model: BenchModel, timer: TaskTimer, learner: Breakdown['learner'], binary: boolean, client: PredictClient): Promise<Breakdown> {
  const api = new SigpropApi(server.url);
  const loop = monitorEventLoopDelay({ resolution: 1 });
  const before = await learnCounters(api, model.name);
  timer.start();
  loop.enable();
  client.go(server.url);
  const predictions = (await client.result).predictions.map((p) => ({ startMs: p.startEpochMs - performance.timeOrigin, ms: p.ms }));
  loop.disable();
  timer.stop();
  const after = await learnCounters(api, model.name);
  const wallMs = after.atMs - before.atMs;
  const ms = predictions.map((p) => p.ms);
  const slow = predictions.filter((p) => p.ms > TARGET_MS);
  return {
    model, learner, binary, backend: server.engine.backend,
    rtt: { p50: round(percentile(ms, 50), 2), p99: round(percentile(ms, 99), 2), max: round(Math.max(...ms), 2) },
    learnedPerS: round((after.samples - before.samples) / (wallMs / 1000), 1),
    tasks: timer.summary(wallMs),
    loopDelay: { p50: round(loop.percentile(50) / 1e6, 2), p99: round(loop.percentile(99) / 1e6, 2), max: round(loop.max / 1e6, 2) },
    slow: attribute(slow, timer),
    slowCount: slow.length,
    count: predictions.length,
  };
}

/** `predict-client.ts` started ahead: its timings, with start times in ms since the epoch. */
type PredictClient = WaitingChild<{ predictions: Array<{ startEpochMs: number; ms: number }> }>;

/** Starts `predict-client.ts` for `model`, waiting for the server's URL. */
function preparePredictClient(model: string, settings: { binary: boolean; predictions: number }): PredictClient {
  return startWaitingChild(process.execPath, ['--import', 'tsx', CLIENT_SCRIPT, '--model', model, '--count', String(settings.predictions), ...(settings.binary ? ['--binary'] : [])]);
}

/** Counts the slow predictions by the set of timed tasks that overlapped each. */
function attribute(slow: readonly TimedPrediction[], timer: TaskTimer): Breakdown['slow'] {
  const counts = new Map<string, number>();
  for (const p of slow) {
    const key = timer.overlapping(p.startMs, p.startMs + p.ms).join(' + ') || 'none of the timed tasks (≥ 1 ms)';
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  return [...counts].map(([tasks, count]) => ({ tasks, count })).sort((a, b) => b.count - a.count);
}

/** The Markdown of one breakdown: the timed tasks, the event loop and the slow predictions. */
export function breakdownMarkdown(b: Breakdown): string[] {
  return [
    `**${b.model.label}, ${b.learner} learner (${b.learnedPerS} items/s learned meanwhile), ${b.binary ? 'binary' : 'JSON'} predictions**: round trip p50 ${b.rtt.p50} / p99 ${b.rtt.p99} / max ${b.rtt.max} ms; event-loop delay p50 ${b.loopDelay.p50} / p99 ${b.loopDelay.p99} / max ${b.loopDelay.max} ms`,
    '',
    '| main-thread task | count | p50 ms | p99 ms | max ms | share of wall time |',
    '|---|---|---|---|---|---|',
    ...b.tasks.map((t) => `| ${t.label} | ${t.count} | ${round(t.p50, 2)} | ${round(t.p99, 2)} | ${round(t.max, 2)} | ${round(t.share * 100, 1)} % |`),
    '',
    `| predictions > ${TARGET_MS} ms (${b.slowCount} of ${b.count}): timed tasks that ran during the round trip | count |`,
    '|---|---|',
    ...b.slow.map((s) => `| ${s.tasks} | ${s.count} |`),
  ];
}
