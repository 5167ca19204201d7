/**
 * The breakdown of benchmark 2 (`npm run bench -- server --breakdown`): where the learner
 * thread's time goes while the server learns as fast as it can. The server runs in this process
 * so that every batch's round trip to the learner can be timed (`LearnerClient.learn`: sent,
 * replied, and the learner's own compute time from its reply) together with the main thread's
 * tasks ({@link TaskTimer}); producers in another process keep the learner's queue full. The
 * learner's wall time splits into computing batches; the rest of each round trip (the messages,
 * the learner publishing its weights after replying, and above all the reply waiting for the
 * main thread to be free to read it); and the time from reading a reply to sending the next batch
 * (main-thread work: the next batch goes out only after the previous reply is handled). The library then learns the same config at the same
 * mean batch size, for the compute time one batch takes without a server around it.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SigpropApi } from '../../clients/ts/api.js';
import type { backend } from '../../src/index.js';
import { loadServerConfig } from '../../src/server/config.js';
import { serve } from '../../src/server/serve.js';
import { GroupCommit } from '../../src/stream/group-commit.js';
import { LearnerClient } from '../../src/stream/learner/client.js';
import type { BenchData } from './bench-data.js';
import type { BenchModel } from './bench-models.js';
import { learnCounters, waitForBacklog } from './learned.js';
import { libraryThroughput } from './library-rate.js';
import { prepareSaturator, SATURATED_QUEUE } from './saturator.js';
import { round } from './stats.js';
import { TaskTimer, type TaskSummary } from './task-timer.js';

/** One batch's round trip to the learner thread (`performance.now()` ms). */
interface BatchTrip {
  sentMs: number;
  repliedMs: number;
  /** The learner's own time for the batch (tensors, update, logits, metrics). */
  computeMs: number;
  rows: number;
}

/** What the breakdown of one model found. */
export interface ServerBreakdown {
  model: BenchModel;
  backend: string;
  learnedPerS: number;
  meanBatch: number;
  /** Shares of the learner thread's wall time. */
  compute: number;
  restOfRoundTrip: number;
  betweenBatches: number;
  /** Compute ms per batch in the server, and what the library needs for a batch of the mean size. */
  serverBatchMs: number;
  libraryBatchMs: number;
  tasks: TaskSummary[];
}

type LearnMethod = LearnerClient['learn'];

/**
 * Measures the breakdown of `model` over `seconds` of saturated learning, then (with the server
 * stopped) the library's time for a batch of the mean size.
 * @throws Error when the server fails or the learner cannot be saturated.
 */
export async function serverBreakdown(model: BenchModel, data: BenchData, settings: { producers: number; seconds: number }): Promise<ServerBreakdown> {
  const measured = await measureServer(model, settings);
  const { samples, steps, wallMs } = measured.window;
  const libraryPerS = await libraryThroughput({ config: model.config, data, samples, steps, offset: 0, backend: measured.backend as backend.BackendName });
  return {
    model,
    backend: measured.backend,
    learnedPerS: round(samples / (wallMs / 1000), 1),
    meanBatch: round(samples / steps, 2),
    ...splitLearnerTime(measured.trips, wallMs),
    libraryBatchMs: round((samples / steps / libraryPerS) * 1000, 2),
    tasks: measured.tasks,
  };
}

/** Runs a server in this process with the learner's trips and main-thread tasks timed, and saturates it. */
async function measureServer(model: BenchModel, settings: { producers: number; seconds: number }) {
  // The producers first: this process must not fork once the server has loaded the native kernels.
  const saturator = prepareSaturator(model.name, settings.producers);
  const trips: BatchTrip[] = [];
  const restoreLearn = timeLearnerTrips(trips);
  const timer = new TaskTimer();
  timer.wrap(GroupCommit.prototype, 'flush', 'SQLite group commit (fsync)', (g: { jobs: unknown[] }) => g.jobs.length > 0);
  const dataDir = mkdtempSync(join(tmpdir(), 'sigprop-bench-server-breakdown-'));
  const server = await serve(loadServerConfig({ flags: { host: '127.0.0.1', port: '0', dataDir, logLevel: 'warn', deadlineMs: '2000' }, env: {} }));
  try {
    const api = new SigpropApi(server.url);
    if (!model.builtIn) await api.request('POST', '/v1/models', { name: model.name, config: model.config });
    saturator.go(server.url);
    await waitForBacklog(api, model.name, SATURATED_QUEUE);
    const window = await record(api, model.name, trips, timer, settings.seconds);
    return { window, trips: [...trips], tasks: timer.summary(window.wallMs), backend: server.engine.backend };
  } finally {
    await saturator.stop(10_000);
    restoreLearn();
    timer.restore();
    await server.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

/** Wraps `LearnerClient.prototype.learn` to append every batch's trip to `trips`; returns the undo. */
function timeLearnerTrips(trips: BatchTrip[]): () => void {
  const original: LearnMethod = LearnerClient.prototype.learn;
  LearnerClient.prototype.learn = async function (this: LearnerClient, ...args: Parameters<LearnMethod>) {
    const sentMs = performance.now();
    const rows = args[1].length;
    const reply = await original.apply(this, args);
    trips.push({ sentMs, repliedMs: performance.now(), computeMs: reply.ms, rows });
    return reply;
  };
  return () => (LearnerClient.prototype.learn = original);
}

/** Records the trips and main-thread tasks of `seconds` of learning; returns what was learned meanwhile. */
async function record(api: SigpropApi, model: string, trips: BatchTrip[], timer: TaskTimer, seconds: number) {
  trips.length = 0;
  const before = await learnCounters(api, model);
  timer.start();
  await new Promise((resolve) => setTimeout(resolve, seconds * 1000));
  timer.stop();
  const after = await learnCounters(api, model);
  return { samples: after.samples - before.samples, steps: after.step - before.step, wallMs: after.atMs - before.atMs };
}

/** Splits the learner's time over the recorded trips (each gap between trips is main-thread time). */
function splitLearnerTime(trips: readonly BatchTrip[], wallMs: number) {
  const span = trips.length > 0 ? trips[trips.length - 1].repliedMs - trips[0].sentMs : wallMs;
  const compute = trips.reduce((s, t) => s + t.computeMs, 0);
  const inTrips = trips.reduce((s, t) => s + (t.repliedMs - t.sentMs), 0);
  return {
    compute: round(compute / span, 3),
    restOfRoundTrip: round((inTrips - compute) / span, 3),
    betweenBatches: round((span - inTrips) / span, 3),
    serverBatchMs: round(compute / Math.max(1, trips.length), 2),
  };
}

/** The Markdown of one breakdown. */
export function serverBreakdownMarkdown(b: ServerBreakdown): string[] {
  return [
    `**${b.model.label}**: ${b.learnedPerS} items/s learned, mean batch ${b.meanBatch}; a batch's compute in the learner thread ${b.serverBatchMs} ms, in the library alone ${b.libraryBatchMs} ms`,
    '',
    '| learner thread | share of its wall time |',
    '|---|---|',
    `| computing batches (tensors, update, logits, metrics) | ${round(b.compute * 100, 1)} % |`,
    `| rest of the round trip: messages, snapshot publication, the reply waiting for a busy main thread | ${round(b.restOfRoundTrip * 100, 1)} % |`,
    `| from the reply read to the next batch sent (main thread) | ${round(b.betweenBatches * 100, 1)} % |`,
    '',
    '| main-thread task | count | p50 ms | p99 ms | max ms | share of wall time |',
    '|---|---|---|---|---|---|',
    ...b.tasks.map((t) => `| ${t.label} | ${t.count} | ${round(t.p50, 2)} | ${round(t.p99, 2)} | ${round(t.max, 2)} | ${round(t.share * 100, 1)} % |`),
  ];
}
