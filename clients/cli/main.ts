#!/usr/bin/env node
import { Command } from 'commander';
import { checkpointsCommand } from './commands/checkpoints.js';
import { exportCommand } from './commands/export.js';
import { predictCommand } from './commands/predict.js';
import { pushCommand } from './commands/push.js';
import { replayCommand } from './commands/replay.js';

/**
 * The `sigprop` command line: `serve` (the server), and the clients `push`, `predict`,
 * `replay`, `checkpoints`, `export`. Runs as `npx tsx clients/cli/main.ts …` or, after
 * `npm run build`, as `sigprop …` / `node dist/clients/cli/main.js …`. Exits 2 on a server
 * configuration error, 1 on any other failure (the message names what went wrong).
 */
async function main(): Promise<void> {
  const program = new Command('sigprop')
    .description('streaming online learning with signal propagation: server and clients')
    .version(await packageVersion())
    .addCommand(await serveEntry())
    .addCommand(pushCommand())
    .addCommand(predictCommand())
    .addCommand(replayCommand())
    .addCommand(checkpointsCommand())
    .addCommand(exportCommand());
  await program.parseAsync();
}

/**
 * The server's `serve` command (shared with `src/server/main.ts`). Loading the server means
 * loading TensorFlow.js, seconds on a small machine, so the client commands see only its name.
 */
async function serveEntry(): Promise<Command> {
  if (process.argv[2] === 'serve') return (await import('../../src/server/serve-command.js')).serveCommand();
  return new Command('serve').description('run the streaming online-learning server (sigprop serve --help for its flags)');
}

async function packageVersion(): Promise<string> {
  return (await import('../../src/server/version.js')).PACKAGE_VERSION;
}

// A reader that stops early (`sigprop predict … | head`) closes the pipe: that ends the command
// quietly, as for any Unix filter, instead of an unhandled EPIPE.
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code === 'EPIPE') process.exit(0);
  throw error;
});

main().catch(async (error: unknown) => {
  process.stderr.write(`sigprop: ${(error as Error).message}\n`);
  const { ServerConfigError } = await import('../../src/server/config.js');
  process.exit(error instanceof ServerConfigError ? 2 : 1);
});
