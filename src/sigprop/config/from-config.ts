import type { ModelConfig, MlpConfig, VggConfig } from './schema.js';
import { parseConfig, ConfigError } from './parse.js';
import { estimateParameters, MAX_PARAMETERS } from '../zoo/size.js';
import { Classifier } from '../classifier/classifier.js';
import { mlp } from '../zoo/mlp.js';
import { vgg } from '../zoo/vgg.js';
import { manualSeed } from '../utils/random.js';
import type { BuiltModel } from '../zoo/learner.js';

/**
 * Builds a classifier from a JSON model config (validated, defaults filled in). The initial
 * weights depend only on `config.seed`, so equal configs give equal models on every backend.
 * @throws ConfigError listing every problem by JSON path (also when a VGG's `featMult` or
 *   image size leaves no channel or pixel, or the model would have over 100M weights).
 */
export function fromConfig(json: unknown): Classifier {
  const config = parseConfig(json);
  const weights = estimateParameters(config);
  if (weights > MAX_PARAMETERS) {
    throw new ConfigError([{ path: '/architecture', message: `about ${(weights / 1e6).toFixed(0)}M weights; at most ${MAX_PARAMETERS / 1e6}M are allowed` }]);
  }
  manualSeed(config.seed);
  return new Classifier(config, buildArchitecture(config));
}

/** The full config of a classifier (with defaults), a deep copy. */
export function toConfig(classifier: Classifier): ModelConfig {
  return structuredClone(classifier.config);
}

function buildArchitecture(config: ModelConfig): BuiltModel {
  if (config.architecture.name === 'mlp') return mlp(config as ModelConfig & { architecture: MlpConfig });
  return vgg(config as ModelConfig & { architecture: VggConfig });
}
