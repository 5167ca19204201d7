import { Command } from 'commander';
import { formatTable } from '../table.js';
import { apiOf, withServerOptions, type ModelFlags } from '../server-options.js';
import type { CheckpointInfo } from '../../ts/index.js';

/** `sigprop checkpoints`: a model's checkpoints as a table (or JSON). Needs an admin token when auth is on. */
export function checkpointsCommand(): Command {
  const command = new Command('checkpoints').description("list a model's checkpoints").option('--json', 'print JSON');
  return withServerOptions(command).action(async (flags: ModelFlags & { json?: boolean }) => {
    const checkpoints = await apiOf(flags).checkpoints(flags.model);
    process.stdout.write(flags.json ? `${JSON.stringify(checkpoints)}\n` : `${formatCheckpoints(checkpoints)}\n`);
  });
}

/** Checkpoints as a text table, oldest first. */
export function formatCheckpoints(checkpoints: readonly CheckpointInfo[]): string {
  if (checkpoints.length === 0) return '(no checkpoints yet)';
  return formatTable(
    ['id', 'step', 'samples', 'last seq', 'size', 'reason', 'created'],
    checkpoints.map((c) => [c.id, c.step, c.samples, c.lastSeq, `${(c.size / 1024).toFixed(0)} KiB`, c.reason, new Date(c.createdAt).toISOString()]),
  );
}
