import { readFileSync } from 'node:fs';
import { Type, type Static, type TSchema } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';

/** Roles of bearer tokens; each includes the ones before it (`admin` ⊇ `write` ⊇ `read`). */
export const ROLES = ['read', 'write', 'admin'] as const;
export type Role = (typeof ROLES)[number];

/** A bearer token: at least 8 characters, no whitespace. */
const TOKEN_PATTERN = /^\S{8,}$/;

/** pino log levels; `silent` turns logging off. */
export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

const RoleSchema = Type.Union(ROLES.map((role) => Type.Literal(role)));

/** Everything `serve` needs, after flags, environment and config file are merged. */
export const ServerConfigSchema = Type.Object(
  {
    host: Type.String({ minLength: 1, default: '127.0.0.1', description: 'interface to bind (loopback by default)' }),
    port: Type.Integer({ minimum: 0, maximum: 65535, default: 8080, description: '0 picks a free port' }),
    dataDir: Type.String({ minLength: 1, default: './data', description: 'directory of the SQLite file (created if absent)' }),
    tokens: Type.Record(Type.String({ pattern: TOKEN_PATTERN.source }), RoleSchema, {
      default: {},
      description: 'bearer token → role; empty: no authentication (loopback only unless insecure)',
    }),
    maxMessageBytes: Type.Integer({ minimum: 1024, default: 1_048_576, description: 'largest WebSocket frame or HTTP body, bytes' }),
    deadlineMs: Type.Integer({ minimum: 0, default: 30_000, description: 'graceful-shutdown deadline, ms' }),
    insecure: Type.Boolean({ default: false, description: 'allow a non-loopback host without tokens' }),
    backend: Type.Optional(
      Type.Union([Type.Literal('auto'), Type.Literal('tensorflow'), Type.Literal('wasm'), Type.Literal('cpu')], {
        description: 'tfjs backend (default: the library default, env SIGPROP_BACKEND or auto)',
      }),
    ),
    learnerThreads: Type.Union([Type.Literal('auto'), Type.Integer({ minimum: 1, maximum: 64 })], {
      default: 'auto',
      description: "threads each model learns in (a pipeline of layer ranges); 'auto': one core is left to the main thread, so 1 on 2 cores; from 3 cores 2 for a model large enough to gain",
    }),
    maxQueue: Type.Integer({ minimum: 1, default: 10_000, description: 'labelled items waiting per model before overload' }),
    overload: Type.Union([Type.Literal('block'), Type.Literal('reject')], {
      default: 'block',
      description: "'block': backpressure; 'reject': answer overloaded",
    }),
    logLevel: Type.Union(LOG_LEVELS.map((level) => Type.Literal(level)), { default: 'info' }),
  },
  { additionalProperties: false },
);

export type ServerConfig = Static<typeof ServerConfigSchema>;

/** One source of settings as strings (command-line flags or environment); tokens as `token:role`. */
export type RawSettings = Partial<Record<Exclude<keyof ServerConfig, 'tokens'>, string | boolean>> & { tokens?: string[] };

/** Where {@link loadServerConfig} reads from. */
export interface ConfigSources {
  /** Command-line flags (highest precedence). */
  flags?: RawSettings;
  /** Environment (default `process.env`); see {@link ENV_VARS}. */
  env?: Record<string, string | undefined>;
  /** JSON config file path (default: env `SIGPROP_CONFIG`; none when unset). */
  file?: string;
}

/** Environment variable of each setting. `SIGPROP_TOKENS` is `token:role,token:role`. */
export const ENV_VARS: Record<keyof ServerConfig, string> = {
  host: 'SIGPROP_HOST',
  port: 'SIGPROP_PORT',
  dataDir: 'SIGPROP_DATA_DIR',
  tokens: 'SIGPROP_TOKENS',
  maxMessageBytes: 'SIGPROP_MAX_MESSAGE_BYTES',
  deadlineMs: 'SIGPROP_DEADLINE_MS',
  insecure: 'SIGPROP_INSECURE',
  backend: 'SIGPROP_BACKEND',
  learnerThreads: 'SIGPROP_LEARNER_THREADS',
  maxQueue: 'SIGPROP_MAX_QUEUE',
  overload: 'SIGPROP_OVERLOAD',
  logLevel: 'SIGPROP_LOG_LEVEL',
};

/** A configuration that cannot be used; the message names the setting and what was expected. */
export class ServerConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ServerConfigError';
  }
}

/**
 * Merges the sources, flags > environment > config file > defaults (a source that sets `tokens`
 * replaces the whole token table of lower ones), converts strings to numbers/booleans and checks
 * every setting against {@link ServerConfigSchema}.
 * @throws ServerConfigError on an unreadable file, a malformed token entry, an unknown setting in
 *   the file or an invalid value; the message names the flag, variable or file key, the value
 *   given (for the file with its JSON type) and what is expected.
 */
export function loadServerConfig(sources: ConfigSources = {}): ServerConfig {
  const env = sources.env ?? process.env;
  // Later entries replace earlier ones: this order is the precedence.
  const settings = new Map([
    ...fileSettings(sources.file ?? env.SIGPROP_CONFIG),
    ...rawSettings(fromEnv(env), (key) => ENV_VARS[key]),
    ...rawSettings(sources.flags ?? {}, (key) => `--${key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`),
  ]);
  const merged = Object.fromEntries([...settings].map(([key, setting]) => [key, checkSetting(key, setting)]));
  checkTokens(merged.tokens);
  // Sound: every given setting passed its own schema above (unknown ones were refused), and the defaults fill in the rest.
  return Value.Default(ServerConfigSchema, merged) as ServerConfig;
}

/**
 * Refuses to expose an unauthenticated server: binding a non-loopback host needs tokens or
 * `insecure`.
 * @throws ServerConfigError otherwise.
 */
export function assertSafeExposure(config: ServerConfig): void {
  if (isLoopback(config.host) || Object.keys(config.tokens).length > 0 || config.insecure) return;
  throw new ServerConfigError(
    `refusing to listen on ${config.host} without tokens: configure tokens (${ENV_VARS.tokens} or --token) or pass --insecure`,
  );
}

/** True for `localhost`, 127.0.0.0/8 and ::1 (also IPv4-mapped). */
export function isLoopback(host: string): boolean {
  const bare = host.replace(/^\[|\]$/g, '').toLowerCase();
  return bare === 'localhost' || bare === '::1' || /^(::ffff:)?127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(bare);
}

/** Checks the token table without ever echoing a token (error messages end up in logs). */
function checkTokens(tokens: unknown): void {
  if (tokens === undefined) return;
  if (typeof tokens !== 'object' || tokens === null || Array.isArray(tokens)) throw new ServerConfigError('config.tokens must be an object token → role');
  for (const [token, role] of Object.entries(tokens)) {
    if (!TOKEN_PATTERN.test(token)) throw new ServerConfigError(`config.tokens: a token must have at least 8 characters and no whitespace (one has ${token.length})`);
    if (!(ROLES as readonly unknown[]).includes(role)) throw new ServerConfigError(`config.tokens: role ${JSON.stringify(role)} is not one of ${ROLES.join(', ')}`);
  }
}

/** One setting as given, with what error messages say of it. */
interface Setting {
  value: unknown;
  /** The flag, variable or file key it came from. */
  where: string;
  /** The value as given (a file's with its JSON type). */
  given: string;
  fromFile: boolean;
}

const PROPERTIES = ServerConfigSchema.properties as Record<string, TSchema>;

function fileSettings(path: string | undefined): Array<[string, Setting]> {
  return Object.entries(readConfigFile(path)).map(([key, value]) => [
    key,
    { value, where: `config file ${path}: ${key}`, given: jsonValue(value), fromFile: true },
  ]);
}

type ScalarKey = Exclude<keyof ServerConfig, 'tokens'>;

/** Drops unset settings, parses `token:role` entries into the token table and converts the other strings (see {@link convert}). */
function rawSettings(raw: RawSettings, name: (key: ScalarKey) => string): Array<[string, Setting]> {
  return Object.entries(raw)
    .filter(([, value]) => value !== undefined)
    .map(([key, value]) => [key, key === 'tokens' ? tokenSetting(value as string[]) : rawSetting(key as ScalarKey, value as string | boolean, name(key as ScalarKey))]);
}

function rawSetting(key: ScalarKey, value: string | boolean, where: string): Setting {
  return { value: convert(key, value), where, given: typeof value === 'string' ? `'${value}'` : String(value), fromFile: false };
}

/** Its `given` is never shown: the table is checked by checkTokens, whose messages leave the tokens out. */
function tokenSetting(entries: string[]): Setting {
  return { value: parseTokens(entries), where: 'tokens', given: '', fromFile: false };
}

/** @returns the setting's value. @throws ServerConfigError for an unknown setting or a value its schema refuses. */
function checkSetting(key: string, setting: Setting): unknown {
  if (key === 'tokens') return setting.value;
  const schema = PROPERTIES[key];
  if (!schema) throw new ServerConfigError(`${setting.where} is not a setting; expected one of ${Object.keys(PROPERTIES).join(', ')}`);
  if (Value.Check(schema, setting.value)) return setting.value;
  throw new ServerConfigError(`${setting.where} is ${setting.given}; expected ${expectation(schema, setting.fromFile)}`);
}

/** What a setting's schema accepts, in words; for a file, with the JSON types. */
function expectation(schema: TSchema, fromFile: boolean): string {
  const variants: TSchema[] = schema.anyOf ?? [schema];
  const literals = variants.filter((v) => v.const !== undefined).map((v) => (fromFile ? JSON.stringify(v.const) : `'${String(v.const)}'`));
  const words = variants.filter((v) => v.const === undefined).map((v) => typeWords(v, fromFile));
  if (literals.length > 0) {
    const jsonType = fromFile ? (literals.length > 1 ? ' (JSON strings)' : ' (a JSON string)') : '';
    words.unshift(`${literals.length > 1 ? 'one of ' : ''}${literals.join(', ')}${jsonType}`);
  }
  return words.join(' or ');
}

function typeWords(schema: TSchema, fromFile: boolean): string {
  switch (schema.type) {
    case 'integer': {
      const range = schema.maximum === undefined ? ` ≥ ${schema.minimum}` : ` in ${schema.minimum}..${schema.maximum}`;
      return `an integer${range}${fromFile ? ' (a JSON number)' : ''}`;
    }
    case 'boolean':
      return fromFile ? 'true or false (a JSON boolean)' : 'true, false, 1 or 0';
    default:
      return `${schema.minLength ? 'a non-empty' : 'a'} ${fromFile ? 'JSON ' : ''}string`;
  }
}

/** A file's value with its JSON type: `the JSON string "18093"`. */
function jsonValue(value: unknown): string {
  if (value === null) return 'the JSON null';
  return `the JSON ${Array.isArray(value) ? 'array' : typeof value} ${JSON.stringify(value)}`;
}

function readConfigFile(path: string | undefined): Record<string, unknown> {
  if (!path) return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new ServerConfigError(`config file ${path}: ${(error as Error).message}`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new ServerConfigError(`config file ${path}: expected a JSON object`);
  }
  return parsed as Record<string, unknown>;
}

function fromEnv(env: Record<string, string | undefined>): RawSettings {
  const raw: RawSettings = {};
  for (const [key, name] of Object.entries(ENV_VARS) as Array<[keyof ServerConfig, string]>) {
    const value = env[name];
    if (value === undefined || value === '') continue;
    if (key === 'tokens') raw.tokens = value.split(',').map((entry) => entry.trim()).filter(Boolean);
    else raw[key] = value;
  }
  return raw;
}

/**
 * A flag's or environment variable's string as the setting's type: only a plain decimal integer
 * becomes a number (`80.5`, `1e3` or `0x50` stay strings, so the check names them) and only
 * `true`/`1` and `false`/`0` a boolean (the two spellings scripts and container settings use).
 */
function convert(key: string, value: string | boolean): unknown {
  if (typeof value !== 'string') return value;
  const schema = PROPERTIES[key];
  const types = new Set((schema?.anyOf ?? [schema]).map((s: TSchema | undefined) => s?.type));
  if (types.has('integer') && /^[+-]?\d+$/.test(value)) return Number(value);
  if (types.has('boolean') && BOOLEANS.has(value)) return BOOLEANS.get(value);
  return value;
}

const BOOLEANS = new Map([
  ['true', true],
  ['1', true],
  ['false', false],
  ['0', false],
]);

function parseTokens(entries: string[]): Record<string, string> {
  const table: Record<string, string> = {};
  for (const [i, entry] of entries.entries()) {
    const at = entry.lastIndexOf(':');
    // Never echoed, not even in part: a malformed entry may well be a bare secret.
    if (at <= 0) throw new ServerConfigError(`token entry ${i + 1} (of ${entries.length}, ${entry.length} characters) has no ':role'; expected token:role (role: ${ROLES.join(', ')})`);
    table[entry.slice(0, at)] = entry.slice(at + 1);
  }
  return table;
}
