#!/usr/bin/env node
import { Command } from 'commander';
import { ServerConfigError } from './config.js';
import { serveCommand } from './serve-command.js';

/**
 * Executable entry of the server alone: `tsx src/server/main.ts serve [flags]` (the full
 * `sigprop` CLI adds the same `serve` command). Exits 2 on a configuration error, 1 on any other
 * start failure.
 */
const program = new Command('sigprop-server').addCommand(serveCommand());
program.parseAsync().catch((error: unknown) => {
  process.stderr.write(`sigprop: ${(error as Error).message}\n`);
  process.exit(error instanceof ServerConfigError ? 2 : 1);
});
