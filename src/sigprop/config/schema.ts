import { Type, type Static } from '@sinclair/typebox';

/** Positive integer helper. */
// Counts are bounded by the largest exact integer: beyond it they are not counts any more (and SQLite refuses them).
const PositiveInt = (description: string, options: object = {}) => Type.Integer({ minimum: 1, maximum: Number.MAX_SAFE_INTEGER, description, ...options });

/** Options shared by every block of the zoo (the reference examples' block options). */
export const BlockOptionsSchema = Type.Object(
  {
    norm: Type.Union([Type.Literal('batch'), Type.Literal('instance'), Type.Literal('layer'), Type.Literal('none')], {
      default: 'layer',
      description: 'normalisation after each linear/conv layer',
    }),
    nonlinearity: Type.Union([Type.Literal('relu'), Type.Literal('leakyrelu')], { default: 'leakyrelu' }),
    dropout: Type.Number({ minimum: 0, maximum: 0.95, default: 0, description: 'dropout probability after each block' }),
    bias: Type.Boolean({ default: true, description: 'learned bias in hidden linear/conv layers' }),
    preActivation: Type.Boolean({ default: false, description: 'norm and nonlinearity before the layer instead of after' }),
    wrap: Type.Union([Type.Literal('block'), Type.Literal('fine')], {
      default: 'block',
      description: "'block': one learning propagator per block; 'fine': one per sub-layer (the reference's fine mode)",
    }),
  },
  { additionalProperties: false },
);

/** The reference examples' MLP (`Net`): `numLayers` hidden blocks of `numHidden` units. */
export const MlpSchema = Type.Composite(
  [
    Type.Object({
      name: Type.Literal('mlp'),
      numLayers: Type.Integer({ minimum: 0, maximum: 64, default: 2, description: 'hidden blocks after the signal' }),
      numHidden: PositiveInt('units per hidden block', { default: 1024, maximum: 65536 }),
    }),
    BlockOptionsSchema,
  ],
  { additionalProperties: false },
);

/** VGG-n from the reference examples, with a dense classifier head. */
export const VggSchema = Type.Composite(
  [
    Type.Object({
      name: Type.Union([Type.Literal('vgg6'), Type.Literal('vgg8'), Type.Literal('vgg11')]),
      featMult: Type.Number({ exclusiveMinimum: 0, maximum: 16, default: 1, description: 'multiplier of every channel count' }),
      pool: Type.Union([Type.Literal('max'), Type.Literal('avg')], { default: 'max' }),
      numLayers: Type.Integer({ minimum: 0, maximum: 8, default: 1, description: 'hidden dense layers in the head (0: one linear layer)' }),
      numHidden: PositiveInt('units per hidden dense layer', { default: 1024, maximum: 65536 }),
    }),
    BlockOptionsSchema,
  ],
  { additionalProperties: false },
);

export const ArchitectureSchema = Type.Union([MlpSchema, VggSchema]);

/** How the learning signal is made (the reference examples' signals). */
export const SignalSchema = Type.Object(
  {
    kind: Type.Union([Type.Literal('fixed-projection'), Type.Literal('projection-context'), Type.Literal('projection-context-input')], {
      default: 'projection-context-input',
      description:
        "'fixed-projection': a fixed random projection of the context; 'projection-context': a learned projection of the context " +
        "(Linear+LayerNorm+ReLU); 'projection-context-input': learned projections of context and input (the 'lpi' signal, conv for images)",
    }),
    targets: Type.Union([Type.Literal('per-sample'), Type.Literal('per-class')], {
      default: 'per-class',
      description: "'per-class' (class prototypes, for v1) or 'per-sample' (for v9/v14/v15)",
    }),
  },
  { additionalProperties: false },
);

export const LossSchema = Type.Object(
  {
    name: Type.Union([Type.Literal('v1'), Type.Literal('v9'), Type.Literal('v14'), Type.Literal('v15')], {
      default: 'v1',
      description: 'v1_input_label_direct, v9_input_target_max_all, v14_input_target_max_rand, v15_input_target_topk',
    }),
    k: Type.Integer({ minimum: 1, maximum: Number.MAX_SAFE_INTEGER, default: 2, description: 'top-k for v15' }),
  },
  { additionalProperties: false },
);

export const OptimizerSchema = Type.Object(
  {
    kind: Type.Union([Type.Literal('adam'), Type.Literal('sgd'), Type.Literal('momentum')], { default: 'adam' }),
    lr: Type.Number({ exclusiveMinimum: 0, maximum: 10, default: 5e-4 }),
    weightDecay: Type.Number({ minimum: 0, default: 0 }),
    momentum: Type.Number({ minimum: 0, maximum: 1, default: 0.9 }),
  },
  { additionalProperties: false },
);

/** Micro-batching of labelled items (read by the streaming engine). */
export const BatchSchema = Type.Object(
  {
    maxSize: Type.Integer({ minimum: 1, maximum: 4096, default: 32, description: 'most labelled items in one update' }),
    maxWaitMs: Type.Number({ minimum: 0, maximum: 60_000, default: 5, description: 'longest an item waits for its update, ms' }),
  },
  { additionalProperties: false },
);

/** Replay buffer mixed into each update (read by the streaming engine). */
export const ReplaySchema = Type.Object(
  {
    size: Type.Integer({ minimum: 0, maximum: 1_000_000, default: 0, description: 'reservoir capacity in items (0: off)' }),
    mix: Type.Integer({ minimum: 0, maximum: 4096, default: 0, description: 'replayed items added to each update' }),
  },
  { additionalProperties: false },
);

/** When checkpoints are written and which are kept (read by the streaming engine). */
export const CheckpointPolicySchema = Type.Object(
  {
    everySamples: Type.Integer({ minimum: 0, maximum: Number.MAX_SAFE_INTEGER, default: 10_000, description: 'checkpoint after this many learned samples (0: off)' }),
    everySeconds: Type.Number({ minimum: 0, default: 300, description: 'checkpoint after this many seconds (0: off)' }),
    keepLast: Type.Integer({ minimum: 1, maximum: Number.MAX_SAFE_INTEGER, default: 5 }),
    keepEvery: Type.Integer({ minimum: 0, maximum: Number.MAX_SAFE_INTEGER, default: 10, description: 'also keep every M-th checkpoint (0: none)' }),
  },
  { additionalProperties: false },
);

/** One JSON document that describes a model completely (`fromConfig` builds it). */
export const ModelConfigSchema = Type.Object(
  {
    inputShape: Type.Array(PositiveInt('dimension'), {
      minItems: 1,
      maxItems: 3,
      default: [784],
      description: 'shape of one input: [D] for vectors or [H, W, C] for images',
    }),
    classes: Type.Integer({ minimum: 2, maximum: 100_000, default: 10 }),
    architecture: Type.Union([MlpSchema, VggSchema], { default: { name: 'mlp' } }),
    signal: Type.Object(SignalSchema.properties, { additionalProperties: false, default: {} }),
    loss: Type.Object(LossSchema.properties, { additionalProperties: false, default: {} }),
    optimizer: Type.Object(OptimizerSchema.properties, { additionalProperties: false, default: {} }),
    seed: Type.Integer({ minimum: 0, maximum: 4294967295, default: 1, description: 'seed of the initial weights and of sampling' }),
    batch: Type.Object(BatchSchema.properties, { additionalProperties: false, default: {} }),
    replay: Type.Object(ReplaySchema.properties, { additionalProperties: false, default: {} }),
    checkpoint: Type.Object(CheckpointPolicySchema.properties, { additionalProperties: false, default: {} }),
  },
  { additionalProperties: false, $id: 'ModelConfig' },
);

export type BlockOptions = Static<typeof BlockOptionsSchema>;
export type MlpConfig = Static<typeof MlpSchema>;
export type VggConfig = Static<typeof VggSchema>;
export type ArchitectureConfig = MlpConfig | VggConfig;
export type SignalConfig = Static<typeof SignalSchema>;
export type LossConfig = Static<typeof LossSchema>;
export type ModelConfig = Static<typeof ModelConfigSchema>;
