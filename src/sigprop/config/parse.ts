import { Value } from '@sinclair/typebox/value';
import { TypeCompiler } from '@sinclair/typebox/compiler';
import { ModelConfigSchema, MlpSchema, VggSchema, type ModelConfig } from './schema.js';

/** One problem in a config: where (a JSON path like `/architecture/numHidden`) and what. */
export interface ConfigProblem {
  path: string;
  message: string;
}

/** A config that failed validation; `problems` lists every one of them. */
export class ConfigError extends Error {
  readonly code = 'bad_config';

  constructor(readonly problems: ConfigProblem[]) {
    super(`invalid model config: ${problems.map((p) => `${p.path || '/'}: ${p.message}`).join('; ')}`);
  }
}

const checker = TypeCompiler.Compile(ModelConfigSchema);

/**
 * Validates a model config and fills in defaults; the input is not modified.
 * Cross-field rules are checked too (loss vs targets, VGG needs image inputs, v15's k).
 * @throws ConfigError listing every problem by JSON path.
 */
export function parseConfig(json: unknown): ModelConfig {
  const withDefaults = Value.Default(ModelConfigSchema, Value.Clone(json ?? {})) as unknown;
  const problems: ConfigProblem[] = [...checker.Errors(withDefaults)].flatMap((e) =>
    e.path === '/architecture' ? architectureProblems((withDefaults as { architecture?: unknown }).architecture) : [{ path: e.path, message: e.message }],
  );
  if (problems.length > 0) throw new ConfigError(dedupe(problems));
  const config = withDefaults as ModelConfig;
  const semantic = crossFieldProblems(config);
  if (semantic.length > 0) throw new ConfigError(semantic);
  return config;
}

function crossFieldProblems(config: ModelConfig): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  const perClass = config.signal.targets === 'per-class';
  if (config.loss.name === 'v1' && !perClass) {
    problems.push({ path: '/signal/targets', message: "loss v1 needs per-class targets ('per-class')" });
  }
  if (config.loss.name !== 'v1' && perClass) {
    problems.push({ path: '/signal/targets', message: `loss ${config.loss.name} compares samples with each other and needs 'per-sample' targets` });
  }
  if (config.architecture.name !== 'mlp' && config.inputShape.length !== 3) {
    problems.push({ path: '/inputShape', message: `${config.architecture.name} needs image inputs [H, W, C]; got [${config.inputShape.join(', ')}]` });
  }
  if (config.architecture.name !== 'mlp' && config.architecture.wrap === 'fine' && config.architecture.preActivation) {
    problems.push({ path: '/architecture/preActivation', message: "pre-activation blocks cannot be wrapped 'fine'" });
  }
  return problems;
}

const ARCHITECTURES = [MlpSchema, VggSchema];

/**
 * TypeBox reports a failing union as a bare "Expected union value"; for the architecture, list
 * the problems of the member its `name` selects (that member's defaults filled in) instead.
 */
function architectureProblems(architecture: unknown): ConfigProblem[] {
  if (typeof architecture !== 'object' || architecture === null) return [{ path: '/architecture', message: 'Expected object' }];
  const name = (architecture as { name?: unknown }).name;
  const member = ARCHITECTURES.find((schema) => Value.Check(schema.properties.name, name));
  if (!member) return [{ path: '/architecture/name', message: `Expected 'mlp', 'vgg6', 'vgg8' or 'vgg11'; got ${JSON.stringify(name)}` }];
  const withDefaults = Value.Default(member, Value.Clone(architecture));
  return [...Value.Errors(member, withDefaults)].map((e) => ({ path: `/architecture${e.path}`, message: e.message }));
}

/** TypeBox reports a failing union once per member; keep one message per path. */
function dedupe(problems: ConfigProblem[]): ConfigProblem[] {
  const seen = new Map<string, ConfigProblem>();
  for (const p of problems) if (!seen.has(p.path)) seen.set(p.path, p);
  return [...seen.values()];
}
