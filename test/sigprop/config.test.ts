import { describe, it, expect, beforeAll } from 'vitest';
import { Value } from '@sinclair/typebox/value';
import { fromConfig, toConfig, parseConfig, ConfigError, ModelConfigSchema, type Classifier } from '../../src/index.js';
import { BACKENDS, useBackend } from '../helpers/backends.js';

/** The problems' paths of a rejected config. */
function problemPaths(json: unknown): string[] {
  try {
    parseConfig(json);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).code).toBe('bad_config');
    for (const { path } of (error as ConfigError).problems) expect((error as Error).message).toContain(`${path}: `);
    return (error as ConfigError).problems.map((p) => p.path);
  }
  return expect.unreachable('the config was accepted');
}

/** Every model variable's values, in order. */
function weights(c: Classifier): Float32Array[] {
  return c.built.model.namedParameters().map(([, v]) => v.dataSync() as Float32Array);
}

describe('model config validation', () => {
  it('rejects an invalid config listing every problem by JSON path', () => {
    const json = {
      inputShape: [28, 0],
      classes: 1,
      architecture: { name: 'mlp', numHidden: 0, norm: 'group', dropout: 2 },
      loss: { name: 'v99' },
      optimizer: { lr: 0 },
      seed: -1,
      extra: true,
    };
    expect(problemPaths(json).sort()).toEqual(
      ['/extra', '/inputShape/1', '/classes', '/architecture/numHidden', '/architecture/norm', '/architecture/dropout', '/loss/name', '/optimizer/lr', '/seed'].sort(),
    );
  });

  it('names the problems inside the architecture its name selects, or the unknown name', () => {
    expect(problemPaths({ inputShape: [32, 32, 3], architecture: { name: 'vgg8', featMult: 0, pool: 'min', colour: 1 } }).sort()).toEqual([
      '/architecture/colour',
      '/architecture/featMult',
      '/architecture/pool',
    ]);
    expect(problemPaths({ architecture: { name: 'vgg9' } })).toEqual(['/architecture/name']);
    expect(problemPaths({ architecture: 'mlp' })).toEqual(['/architecture']);
  });

  it('checks the rules across fields once the fields themselves are valid', () => {
    const json = { inputShape: [784], architecture: { name: 'vgg8', wrap: 'fine', preActivation: true }, loss: { name: 'v1' }, signal: { targets: 'per-sample' } };
    expect(problemPaths(json)).toEqual(['/signal/targets', '/inputShape', '/architecture/preActivation']);
  });

  it('fills in the defaults without touching its input', () => {
    const json = { inputShape: [28, 28, 1], architecture: { name: 'vgg6' } };
    const frozen = structuredClone(json);
    const config = parseConfig(json);
    expect(json).toEqual(frozen);
    expect(config).toMatchObject({
      classes: 10,
      architecture: { name: 'vgg6', featMult: 1, pool: 'max', numLayers: 1, numHidden: 1024, norm: 'layer', nonlinearity: 'leakyrelu', dropout: 0, bias: true, wrap: 'block' },
      signal: { kind: 'projection-context-input', targets: 'per-class' },
      loss: { name: 'v1' },
      optimizer: { kind: 'adam', lr: 5e-4 },
      seed: 1,
    });
  });

  it('exports the schema from the package root: a plain JSON Schema that validates without building a model', () => {
    const schema = JSON.parse(JSON.stringify(ModelConfigSchema)) as { $id: string; properties: Record<string, unknown> };
    expect(schema.$id).toBe('ModelConfig');
    expect(Object.keys(schema.properties)).toEqual(expect.arrayContaining(['inputShape', 'classes', 'architecture', 'signal', 'loss', 'optimizer']));
    expect(Value.Check(ModelConfigSchema, Value.Default(ModelConfigSchema, { inputShape: [20] }))).toBe(true);
    expect(Value.Check(ModelConfigSchema, { inputShape: [20], classes: 1 })).toBe(false);
  });
});

describe.each(BACKENDS)('toConfig / fromConfig on %s', (backend) => {
  beforeAll(async () => {
    await useBackend(backend);
  });

  it.each([
    ['an mlp', { inputShape: [12], classes: 3, architecture: { name: 'mlp', numHidden: 8, numLayers: 1, dropout: 0.1 }, seed: 5 }],
    [
      'a vgg6',
      {
        inputShape: [16, 16, 3],
        architecture: { name: 'vgg6', featMult: 1 / 32, numHidden: 8, norm: 'batch', wrap: 'fine' },
        signal: { kind: 'projection-context', targets: 'per-sample' },
        loss: { name: 'v9' },
        optimizer: { kind: 'momentum', lr: 0.01 },
      },
    ],
  ])('round-trips %s through JSON', (_, json) => {
    const model = fromConfig(json);
    const config = toConfig(model);
    expect(config).toEqual(parseConfig(json));
    const rebuilt = fromConfig(JSON.parse(JSON.stringify(config)));
    expect(toConfig(rebuilt)).toEqual(config);
    // The seed fixes the initial weights: the rebuilt model is the same model.
    expect(weights(rebuilt)).toEqual(weights(model));
    config.classes = 99;
    expect(model.config.classes).not.toBe(99);
    model.dispose();
    rebuilt.dispose();
  });
});
