import { Command, Option } from 'commander';
import { loadDataset } from '../../datasets/load.js';
import { head, shuffled } from '../../datasets/shuffle.js';
import { connect } from '../../ts/index.js';
import { assertFits } from '../model-fit.js';
import { progressBar } from '../progress.js';
import { formatPushSummary, PUSH_BAR_FORMAT, pushPayload } from '../push-report.js';
import { pushDataset, type PushOptions, type PushProgress, type PushSummary } from '../push-stream.js';
import { parsePositiveInt, parseRate } from '../rate.js';
import { withServerOptions, type ModelFlags } from '../server-options.js';

/** Flags of `sigprop push`. */
export interface PushFlags extends ModelFlags {
  rate?: number;
  unlabelledEvery?: number;
  delayLabels?: boolean;
  labelDelay: number;
  limit?: number;
  shuffle?: number;
  binary?: boolean;
  window: number;
  labels?: string;
  labelColumn?: string;
  json?: boolean;
}

/** `sigprop push <dataset>`: streams a dataset to a model with a live progress bar. */
export function pushCommand(): Command {
  const command = new Command('push')
    .description('stream a dataset to a model over WebSocket (learn labelled items, query every K-th)')
    .argument('<dataset>', 'mnist-digits, fashion-mnist[:test], or an IDX (.gz or raw), CSV or NDJSON file')
    .option('--rate <N/s>', 'items per second (default: as fast as the server answers)', parseRate)
    .option('--unlabelled-every <K>', 'send every K-th item unlabelled, as a prediction query', parsePositiveInt)
    .option('--delay-labels', "send each query's label later as a delayed label")
    .option('--label-delay <items>', 'items between a query and its delayed label', parsePositiveInt, 100)
    .option('--limit <N>', 'push only the first N items', parsePositiveInt)
    .option('--shuffle <seed>', 'push in a seeded random order', parsePositiveInt)
    .option('--binary', 'send binary Float32 frames instead of JSON')
    .option('--window <N>', 'most items awaiting an answer at once', parsePositiveInt, 256)
    .option('--labels <file>', 'IDX: the labels file (default: found next to the images file)')
    .addOption(new Option('--label-column <name|index>', 'CSV: the label column (default: label/y/class/target, else the first)'))
    .option('--json', 'print the summary as JSON');
  return withServerOptions(command).action(async (spec: string, flags: PushFlags) => {
    const summary = await runPush(spec, flags);
    process.stdout.write(flags.json ? `${JSON.stringify(summary)}\n` : `${formatPushSummary(summary, spec, flags.model)}\n`);
  });
}

/**
 * The push path shared by `sigprop push` and `npm run demo`: loads and checks the dataset,
 * connects, streams it with a progress bar and returns the summary.
 */
export async function runPush(spec: string, flags: PushFlags): Promise<PushSummary> {
  let dataset = loadDataset(spec, { labels: flags.labels, labelColumn: flags.labelColumn });
  if (flags.shuffle !== undefined) dataset = shuffled(dataset, flags.shuffle);
  if (flags.limit !== undefined) dataset = head(dataset, flags.limit);
  const client = await connect(flags.url, { model: flags.model, token: flags.token, binary: flags.binary });
  const bar = progressBar(PUSH_BAR_FORMAT);
  let timer: ReturnType<typeof setInterval> | undefined;
  let live: PushProgress | undefined;
  const draw = () => live && bar.update(live.answered, pushPayload(live));
  try {
    assertFits(dataset, await client.api.model(flags.model));
    const options: PushOptions = { ...flags, labelDelay: flags.labelDelay, window: flags.window };
    return await pushDataset(client, dataset, options, (progress) => {
      live = progress;
      bar.start(progress.total, 0, pushPayload(progress));
      timer = setInterval(draw, 200);
    });
  } finally {
    clearInterval(timer);
    draw();
    bar.stop();
    await client.close();
  }
}
