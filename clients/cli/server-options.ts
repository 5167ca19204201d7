import type { Command } from 'commander';
import { SigpropApi } from '../ts/index.js';

/** The flags client commands share: which server and which token. */
export interface ServerFlags {
  url: string;
  token?: string;
}

/** {@link ServerFlags} and the model to work with. */
export interface ModelFlags extends ServerFlags {
  model: string;
}

/**
 * Adds `--url` (env `SIGPROP_URL`, default http://127.0.0.1:8080), `--token` (env
 * `SIGPROP_TOKEN`) and, unless `model` is false, `--model` (default `default`) to a command.
 */
export function withServerOptions(command: Command, { model = true } = {}): Command {
  command
    .option('--url <url>', 'server URL [SIGPROP_URL]', process.env.SIGPROP_URL ?? 'http://127.0.0.1:8080')
    .option('--token <token>', 'bearer token [SIGPROP_TOKEN]', process.env.SIGPROP_TOKEN);
  return model ? command.option('--model <name>', 'model name', 'default') : command;
}

/** The HTTP API of the server the flags name. */
export function apiOf(flags: ServerFlags): SigpropApi {
  return new SigpropApi(flags.url, flags.token);
}
