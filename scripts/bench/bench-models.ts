/**
 * The models the server benchmarks run: the server's embedded `default` model and the reference
 * MLP of the library benchmark (784→1024→1024→10, v1 loss with per-class targets, so that items
 * can be learned one by one), created on the server under the name `reference`.
 */
import { DEFAULT_MODEL_CONFIG } from '../../src/stream/default-model.js';

/** A model to benchmark: its name on the server and its config. */
export interface BenchModel {
  name: string;
  /** What the reports call it. */
  label: string;
  config: object;
  /** True when the server creates it on an empty data dir (no `POST /v1/models` needed). */
  builtIn: boolean;
}

/** The server's default model. */
export const DEFAULT_MODEL: BenchModel = {
  name: 'default',
  label: 'default (MLP 784-256-256-10, v1)',
  config: DEFAULT_MODEL_CONFIG,
  builtIn: true,
};

/** The reference MLP (numHidden 1024), with the schema's defaults for batching and checkpoints. */
export const REFERENCE_MODEL: BenchModel = {
  name: 'reference',
  label: 'reference (MLP 784-1024-1024-10, v1)',
  config: {
    inputShape: [784],
    classes: 10,
    architecture: { name: 'mlp', numLayers: 2, numHidden: 1024 },
    signal: { kind: 'projection-context-input', targets: 'per-class' },
    loss: { name: 'v1' },
    optimizer: { kind: 'adam', lr: 5e-4 },
  },
  builtIn: false,
};

/** Models by the names `--models` takes. */
export const BENCH_MODELS: Record<string, BenchModel> = { default: DEFAULT_MODEL, reference: REFERENCE_MODEL };

/**
 * The models named in a comma-separated list.
 * @throws Error naming an unknown model.
 */
export function parseModels(spec: string): BenchModel[] {
  return spec.split(',').map((name) => {
    const model = BENCH_MODELS[name.trim()];
    if (!model) throw new Error(`--models: unknown model '${name}'; expected ${Object.keys(BENCH_MODELS).join(', ')}`);
    return model;
  });
}
