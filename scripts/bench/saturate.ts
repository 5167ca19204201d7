/**
 * A load generator for the latency benchmark, run as its own process so that its acks never
 * delay the measuring client: once the server's URL arrives on stdin, producers push labelled
 * items to a model as fast as backpressure allows until SIGTERM (or `--max-items`), then print
 * `{"acked":N}`.
 *   echo http://127.0.0.1:PORT | node --import tsx scripts/bench/saturate.ts --model default
 *     [--producers 4] [--binary] [--max-items 10000000]
 */
import { parseArgs } from 'node:util';
import { benchData } from './bench-data.js';
import { produce } from './producers.js';
import { firstStdinLine } from './stdin-line.js';

const { values: args } = parseArgs({
  options: {
    model: { type: 'string', default: 'default' },
    producers: { type: 'string', default: '4' },
    binary: { type: 'boolean', default: false },
    'max-items': { type: 'string', default: '10000000' },
  },
});
const data = benchData();
const url = await firstStdinLine();
// From now on SIGTERM ends the pushing gracefully (before, it ends the process).
const stop = new AbortController();
process.once('SIGTERM', () => stop.abort());
const result = await produce({
  url,
  model: args.model,
  producers: Number(args.producers),
  items: Number(args['max-items']),
  binary: args.binary,
  data,
  signal: stop.signal,
});
console.log(JSON.stringify({ acked: result.acked }));
