/**
 * The predicting client of the latency breakdown, as its own process (so that the server's
 * main-thread tasks never delay its reading of replies): once the server's URL arrives on stdin,
 * times predictions one at a time and prints `{"predictions":[{"startEpochMs":…,"ms":…},…]}` (start times in ms since the epoch, so
 * that another process can place them on its own clock).
 *   echo http://127.0.0.1:PORT | node --import tsx scripts/bench/predict-client.ts --model default
 *     [--count 2000] [--binary]
 */
import { parseArgs } from 'node:util';
import { benchData } from './bench-data.js';
import { timePredictions } from './predict-timing.js';
import { firstStdinLine } from './stdin-line.js';

const { values: args } = parseArgs({
  options: {
    model: { type: 'string', default: 'default' },
    count: { type: 'string', default: '2000' },
    binary: { type: 'boolean', default: false },
  },
});
const data = benchData();
const timed = await timePredictions(await firstStdinLine(), args.model, args.binary, data, Number(args.count));
console.log(JSON.stringify({ predictions: timed.map((p) => ({ startEpochMs: performance.timeOrigin + p.startMs, ms: p.ms })) }));
