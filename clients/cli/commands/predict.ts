import { readFileSync } from 'node:fs';
import { Command } from 'commander';
import type { Dataset } from '../../datasets/dataset.js';
import { sample } from '../../datasets/dataset.js';
import { loadDataset } from '../../datasets/load.js';
import { parseNdjson } from '../../datasets/ndjson.js';
import { head } from '../../datasets/shuffle.js';
import { connect, type PredictionResult } from '../../ts/index.js';
import { assertFits } from '../model-fit.js';
import { parsePositiveInt } from '../rate.js';
import { percent } from '../table.js';
import { withServerOptions, type ModelFlags } from '../server-options.js';

/** Flags of `sigprop predict`. */
interface PredictFlags extends ModelFlags {
  limit?: number;
  probs?: boolean;
  binary?: boolean;
  window: number;
  labels?: string;
  labelColumn?: string;
}

/**
 * `sigprop predict <file|->`: predictions for the inputs of a dataset file (or NDJSON on stdin),
 * one JSON line each on stdout, in input order. When the inputs carry labels, the accuracy goes
 * to stderr. Predicting needs only a read token; nothing is learned.
 */
export function predictCommand(): Command {
  const command = new Command('predict')
    .description('predict inputs: one JSON line per input on stdout')
    .argument('<input>', "a dataset (see push) or '-' for NDJSON on stdin ({\"x\":[...]} per line)")
    .option('--limit <N>', 'only the first N inputs', parsePositiveInt)
    .option('--probs', 'include the class probabilities')
    .option('--binary', 'send binary Float32 frames instead of JSON')
    .option('--window <N>', 'most inputs awaiting their prediction at once', parsePositiveInt, 256)
    .option('--labels <file>', 'IDX: the labels file')
    .option('--label-column <name|index>', 'CSV: the label column');
  return withServerOptions(command).action(async (input: string, flags: PredictFlags) => {
    const all = input === '-' ? parseNdjson(readFileSync(0, 'utf8'), '-') : loadDataset(input, { labels: flags.labels, labelColumn: flags.labelColumn });
    const dataset = flags.limit === undefined ? all : head(all, flags.limit);
    const client = await connect(flags.url, { model: flags.model, token: flags.token, binary: flags.binary });
    try {
      assertFits(dataset, await client.api.model(flags.model));
      const correct = await predictAll(dataset, flags, (i, p) => process.stdout.write(`${JSON.stringify(predictionLine(i, p, dataset.y[i], flags.probs))}\n`), client.predict.bind(client));
      const labelled = dataset.y.filter((y) => y >= 0).length;
      if (labelled > 0) process.stderr.write(`accuracy ${percent(correct / labelled)} (${correct}/${labelled} labelled inputs)\n`);
    } finally {
      await client.close();
    }
  });
}

/**
 * Predicts every sample with at most `window` in flight and hands the results over in input
 * order. @returns how many labelled samples were predicted right.
 */
async function predictAll(
  dataset: Dataset,
  flags: PredictFlags,
  emit: (i: number, prediction: PredictionResult) => void,
  predict: (x: Float32Array) => Promise<PredictionResult>,
): Promise<number> {
  let correct = 0;
  const inFlight: Array<Promise<PredictionResult>> = [];
  let next = 0;
  const take = async () => {
    const prediction = await (inFlight.shift() as Promise<PredictionResult>);
    if (prediction.label === dataset.y[next]) correct++;
    emit(next++, prediction);
  };
  for (let i = 0; i < dataset.count; i++) {
    if (inFlight.length >= flags.window) await take();
    const prediction = predict(sample(dataset, i));
    // Marked handled now; a failure still surfaces when its turn comes in `take`.
    prediction.catch(() => undefined);
    inFlight.push(prediction);
  }
  while (inFlight.length > 0) await take();
  return correct;
}

function predictionLine(i: number, p: PredictionResult, y: number, probs?: boolean) {
  return {
    index: i,
    label: p.label,
    confidence: Number(p.probs[p.label].toFixed(4)),
    predictionId: p.predictionId,
    ...(y >= 0 && { y }),
    ...(probs && { probs: p.probs.map((v) => Number(v.toFixed(4))) }),
  };
}
