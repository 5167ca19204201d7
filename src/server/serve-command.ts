import { Command, Option } from 'commander';
import { ENV_VARS, loadServerConfig, LOG_LEVELS, type RawSettings } from './config.js';
import { handleSignals } from './lifecycle.js';
import { serve } from './serve.js';

/** The parsed flags of `serve` (strings until the config is checked). */
interface ServeFlags extends RawSettings {
  config?: string;
}

/**
 * The `serve` command (commander): flags > env `SIGPROP_*` > JSON config file (`--config` or
 * `SIGPROP_CONFIG`) > defaults. Runs the server until SIGTERM/SIGINT, then stops gracefully and
 * exits (see `handleSignals`). Shared by `src/server/main.ts` and the `sigprop` CLI.
 */
export function serveCommand(): Command {
  return new Command('serve')
    .description('run the streaming online-learning server')
    .option('--host <host>', `interface to bind [${ENV_VARS.host}] (default 127.0.0.1)`)
    .option('--port <port>', `TCP port, 0 = any free one [${ENV_VARS.port}] (default 8080)`)
    .option('--data-dir <dir>', `directory of the SQLite database [${ENV_VARS.dataDir}] (default ./data)`)
    .option('--config <file>', 'JSON config file [SIGPROP_CONFIG]')
    .option('--token <token:role>', `bearer token and its role (read, write, admin); repeatable [${ENV_VARS.tokens}=t:r,t:r]`, collect)
    .option('--max-message-bytes <n>', `largest frame or body [${ENV_VARS.maxMessageBytes}] (default 1048576)`)
    .option('--deadline-ms <ms>', `graceful shutdown deadline [${ENV_VARS.deadlineMs}] (default 30000)`)
    .option('--insecure [bool]', `allow a non-loopback host without tokens; bare means true, else true, false, 1 or 0 [${ENV_VARS.insecure}]`)
    .addOption(new Option('--backend <name>', `tfjs backend [${ENV_VARS.backend}]`).choices(['auto', 'tensorflow', 'wasm', 'cpu']))
    .option('--learner-threads <n>', `threads each model learns in, or auto [${ENV_VARS.learnerThreads}] (default auto: 1 on 2 cores; from 3, 2 for large models)`)
    .option('--max-queue <n>', `labelled items waiting per model [${ENV_VARS.maxQueue}] (default 10000)`)
    .addOption(new Option('--overload <mode>', `when the queue is full [${ENV_VARS.overload}] (default block)`).choices(['block', 'reject']))
    .addOption(new Option('--log-level <level>', `[${ENV_VARS.logLevel}] (default info)`).choices([...LOG_LEVELS]))
    .action(async (options: ServeFlags & { token?: string[] }) => {
      const { config: file, token, ...flags } = options;
      const config = loadServerConfig({ flags: { ...flags, tokens: token }, file });
      const server = await serve(config);
      handleSignals(server, { deadlineMs: config.deadlineMs, log: server.app.log });
      process.stdout.write(`sigprop: listening on ${server.url} (backend ${server.engine.backend}, data ${config.dataDir})\n`);
    });
}

function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}
