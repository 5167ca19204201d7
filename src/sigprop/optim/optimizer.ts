import * as tf from '@tensorflow/tfjs';
import { formatShape } from '../utils/shape.js';

/** How to build an optimizer (also the `optimizer` section of a model config). */
export interface OptimizerConfig {
  kind: 'adam' | 'sgd' | 'momentum';
  /** Learning rate. */
  lr: number;
  /** L2 penalty added to every gradient, PyTorch-style (`grad += weightDecay · param`). Default 0. */
  weightDecay?: number;
  /** Momentum factor for `momentum` (PyTorch SGD momentum, no dampening). Default 0.9. */
  momentum?: number;
  /** Adam's β1 (default 0.9), β2 (default 0.999) and ε (default 1e-8, PyTorch's). */
  beta1?: number;
  beta2?: number;
  epsilon?: number;
}

/**
 * One layer's optimizer: a tfjs optimizer plus PyTorch's weight decay, stepping only the
 * variables it was built for. The update rules equal PyTorch's `SGD`, `SGD(momentum)` and `Adam`.
 */
export class Optimizer {
  readonly inner: tf.Optimizer;

  /**
   * @param config what to build.
   * @param variables the variables this optimizer trains (frozen ones are skipped at each step).
   * @throws Error when `lr` is not a positive finite number or `kind` is unknown.
   */
  constructor(
    readonly config: OptimizerConfig,
    readonly variables: tf.Variable[],
  ) {
    if (!(config.lr > 0) || !Number.isFinite(config.lr)) throw new Error(`optimizer: lr is ${config.lr}; expected a positive number`);
    this.inner = makeTfOptimizer(config);
  }

  /** The variables that are trained now (`trainable` is true). */
  trainable(): tf.Variable[] {
    return this.variables.filter((v) => v.trainable);
  }

  /**
   * Applies gradients keyed by variable name, adding the weight-decay term first. Disposes `grads`.
   */
  apply(grads: tf.NamedTensorMap): void {
    const decay = this.config.weightDecay ?? 0;
    const decayed =
      decay === 0
        ? grads
        : tf.tidy(() =>
            Object.fromEntries(
              this.trainable()
                .filter((v) => grads[v.name] !== undefined)
                .map((v) => [v.name, tf.add(grads[v.name], tf.mul(v, decay))]),
            ),
          );
    this.inner.applyGradients(decayed);
    tf.dispose(grads);
    if (decayed !== grads) tf.dispose(decayed);
  }

  /**
   * What this optimizer has accumulated (for checkpoints). The tensors are the optimizer's own,
   * live: clone them to keep a snapshot, never dispose them.
   * @throws Error when tfjs holds a slot for a variable this optimizer was not built for.
   */
  exportState(): OptimizerState {
    const inner = this.innerState();
    const byName = new Map(this.variables.map((v) => [v.name, v]));
    const owner = (slot: string, s: TfSlot): tf.Variable => {
      const variable = byName.get(s.originalName.slice(0, -(slot.length + 1)));
      if (!variable) throw new Error(`optimizer: slot '${s.originalName}' belongs to no variable of this optimizer`);
      return variable;
    };
    const fields = STATE_FIELDS[this.config.kind];
    return {
      iterations: this.inner.iterations,
      scalars: Object.fromEntries(fields.scalars.map((name) => [name, inner[name] as tf.Variable])),
      slots: Object.fromEntries(
        Object.entries(fields.slots).map(([slot, field]) => [slot, (inner[field] as TfSlot[]).map((s) => ({ variable: owner(slot, s), value: s.variable }))]),
      ),
    };
  }

  /**
   * Replaces the accumulated state with `state` (the caller may dispose its tensors afterwards:
   * tfjs tensors are immutable, so sharing their data is safe). After importing the state exported from an optimizer of an identical model, the
   * next step is bit-identical to that optimizer's.
   * @throws Error when the state does not fit this optimizer (slot or scalar names of another
   *   kind, a slot for a foreign variable, a shape differing from its variable's, slot lists
   *   that do not pair up, a negative iteration count); nothing is changed then.
   */
  importState(state: OptimizerState): void {
    this.checkState(state);
    const inner = this.innerState();
    const fields = STATE_FIELDS[this.config.kind];
    for (const [slot, field] of Object.entries(fields.slots)) {
      tf.dispose((inner[field] as TfSlot[]).map((s) => s.variable));
      inner[field] = state.slots[slot].map(({ variable, value }): TfSlot => ({
        originalName: `${variable.name}/${slot}`,
        variable: tf.variable(value, false),
      }));
    }
    for (const name of fields.scalars) (inner[name] as tf.Variable).assign(state.scalars[name]);
    inner.iterations_ = state.iterations;
  }

  /** Releases the optimizer's accumulated state. */
  dispose(): void {
    this.inner.dispose();
  }

  /** The tfjs optimizer's fields (its slots are not in the public typings). */
  private innerState(): Record<string, unknown> {
    return this.inner as unknown as Record<string, unknown>;
  }

  private checkState(state: OptimizerState): void {
    const fields = STATE_FIELDS[this.config.kind];
    const where = `optimizer (${this.config.kind})`;
    if (!Number.isInteger(state.iterations) || state.iterations < 0) throw new Error(`${where}: iterations is ${state.iterations}; expected an integer ≥ 0`);
    sameNames(`${where} scalars`, Object.keys(state.scalars), fields.scalars);
    sameNames(`${where} slots`, Object.keys(state.slots), Object.keys(fields.slots));
    for (const name of fields.scalars) {
      if (state.scalars[name].rank !== 0) throw new Error(`${where}: scalar ${name} has shape ${formatShape(state.scalars[name].shape)}; expected []`);
    }
    const own = new Set(this.variables);
    const lists = Object.entries(state.slots);
    for (const [slot, list] of lists) {
      list.forEach(({ variable, value }, i) => {
        if (!own.has(variable)) throw new Error(`${where}: slot ${slot}[${i}] is for a variable this optimizer does not train`);
        if (!tf.util.arraysEqual(variable.shape, value.shape)) {
          throw new Error(`${where}: slot ${slot}[${i}] has shape ${formatShape(value.shape)}; its variable has ${formatShape(variable.shape)}`);
        }
      });
      // tfjs pairs slots by position (Adam's m[i] with v[i]), so every list must name the same variables in the same order.
      if (list.length !== lists[0][1].length || list.some((s, i) => s.variable !== lists[0][1][i].variable)) {
        throw new Error(`${where}: slot lists ${lists.map(([n]) => n).join(', ')} do not pair up variable by variable`);
      }
    }
  }
}

/** A per-variable piece of optimizer state: the variable it belongs to and its value (same shape). */
export interface SlotValue {
  variable: tf.Variable;
  value: tf.Tensor;
}

/**
 * Everything an {@link Optimizer} accumulates while training, as checkpoints keep it.
 * - `iterations`: steps taken.
 * - `scalars`: Adam's `accBeta1` and `accBeta2` (β1ᵗ, β2ᵗ as the float32 products tfjs
 *   accumulates; tfjs's own `setWeights` recomputes them with `pow`, which is not bit-identical).
 * - `slots`: per-variable state by slot name (Adam `m` and `v`, momentum `momentum`), each list in
 *   the order tfjs created the slots (the order of the gradients it was given); SGD has none.
 */
export interface OptimizerState {
  iterations: number;
  scalars: Record<string, tf.Tensor>;
  slots: Record<string, SlotValue[]>;
}

/** How tfjs keeps one slot: `originalName` is `<variable name>/<slot>`. */
interface TfSlot {
  originalName: string;
  variable: tf.Variable;
}

/** Where each kind's state lives in the tfjs 4.x optimizer: slot name → field, and scalar fields. */
const STATE_FIELDS: Record<OptimizerConfig['kind'], { slots: Record<string, string>; scalars: string[] }> = {
  sgd: { slots: {}, scalars: [] },
  momentum: { slots: { momentum: 'accumulations' }, scalars: [] },
  adam: { slots: { m: 'accumulatedFirstMoment', v: 'accumulatedSecondMoment' }, scalars: ['accBeta1', 'accBeta2'] },
};

function sameNames(what: string, actual: string[], expected: string[]): void {
  if (actual.length !== expected.length || expected.some((n) => !actual.includes(n))) {
    throw new Error(`${what}: got [${actual.join(', ')}]; expected [${expected.join(', ')}]`);
  }
}

function makeTfOptimizer(config: OptimizerConfig): tf.Optimizer {
  switch (config.kind) {
    case 'sgd':
      return tf.train.sgd(config.lr);
    case 'momentum':
      return tf.train.momentum(config.lr, config.momentum ?? 0.9);
    case 'adam':
      return tf.train.adam(config.lr, config.beta1 ?? 0.9, config.beta2 ?? 0.999, config.epsilon ?? 1e-8);
    default:
      throw new Error(`optimizer: kind is ${JSON.stringify((config as { kind: unknown }).kind)}; expected 'adam', 'sgd' or 'momentum'`);
  }
}

/**
 * An optimizer builder for managers (the reference's `build_optimizer(module)`): returns an
 * {@link Optimizer} over the module's parameters, or null when it has none.
 */
export function optimizerBuilder(config: OptimizerConfig): (module: { namedParameters(): Array<[string, tf.Variable]> }) => Optimizer | null {
  return (module) => {
    const variables = module.namedParameters().map(([, v]) => v);
    return variables.length === 0 ? null : new Optimizer(config, variables);
  };
}
