import { Command, InvalidArgumentError, Option } from 'commander';
import { formatEvaluation } from '../evaluation-report.js';
import { evaluateWithProgress, findRecording } from '../replay-run.js';
import { parsePositiveInt } from '../rate.js';
import { apiOf, withServerOptions, type ServerFlags } from '../server-options.js';

/** Flags of `sigprop replay`. */
interface ReplayFlags extends ServerFlags {
  from: 'fresh' | number;
  speed: 'max' | 'recorded';
  every?: number;
  json?: boolean;
}

/**
 * `sigprop replay <recording>`: replays a recording into a separate model (fresh or from a
 * checkpoint; the live model is not touched), with a progress bar, then prints the report.
 */
export function replayCommand(): Command {
  const command = new Command('replay')
    .description('evaluate: replay a recording into a fresh model or a checkpoint copy, then print the report')
    .argument('<recording>', "recording id, or a model name for that model's live recording")
    .option('--from <fresh|CHECKPOINT>', "start from a fresh model or a checkpoint id", parseFrom, 'fresh' as const)
    .addOption(new Option('--speed <speed>', 'as fast as possible, or at the recorded pace').choices(['max', 'recorded']).default('max'))
    .option('--every <N>', 'a prequential curve point every N items (default 100)', parsePositiveInt)
    .option('--json', 'print the evaluation (with the full curve) as JSON');
  return withServerOptions(command, { model: false }).action(async (recording: string, flags: ReplayFlags) => {
    const api = apiOf(flags);
    const target = await findRecording(api, recording);
    const request = { model: target.model, recording: target.id, from: flags.from, speed: flags.speed, every: flags.every };
    const status = await evaluateWithProgress(api, request);
    process.stdout.write(flags.json ? `${JSON.stringify(status)}\n` : `${formatEvaluation(status, String(flags.from))}\n`);
  });
}

function parseFrom(value: string): 'fresh' | number {
  if (value === 'fresh') return value;
  if (/^\d+$/.test(value) && Number(value) > 0) return Number(value);
  throw new InvalidArgumentError(`expected "fresh" or a checkpoint id; got "${value}"`);
}
