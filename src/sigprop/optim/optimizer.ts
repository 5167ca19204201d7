import * as tf from '@tensorflow/tfjs';
import { formatShape } from '../utils/shape.js';
import { memoryOf } from '../backend/tensor-memory.js';
import { fusedUpdate, tensorUpdate } from './fused-update.js';
import { KINDS, type OptimizerKind, type StepCoefficients } from './kinds.js';

/** How to build an optimizer (also the `optimizer` section of a model config). */
export interface OptimizerConfig {
  kind: OptimizerKind;
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
 * One layer's optimizer: PyTorch's `SGD`, `SGD(momentum)` or `Adam` (with PyTorch's L2 weight
 * decay), stepping only the variables it was built for. On the wasm and cpu backends each
 * variable's update is one pass over the backend's memory (`fused-update.ts`), in place unless
 * another tensor shares the data; on other backends it runs as tfjs ops (same formulas).
 * The state is the step count and per-variable slots (Adam `m`, `v`; momentum buffer), created
 * at a variable's first update. One step count serves all variables (PyTorch counts per
 * parameter; they agree while every trainable variable gets a gradient at every step).
 */
export class Optimizer {
  private steps = 0;
  /** Each variable's slots (in `KINDS[kind].slots` order), in the order they were created. */
  private slots = new Map<tf.Variable, tf.Variable[]>();
  /** The β-power scalars {@link Optimizer.exportState} hands out, for the step they were made at. */
  private betaPowers: { step: number; tensors: Record<string, tf.Tensor> } | null = null;

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
    if (!Object.hasOwn(KINDS, config.kind)) {
      throw new Error(`optimizer: kind is ${JSON.stringify((config as { kind: unknown }).kind)}; expected 'adam', 'sgd' or 'momentum'`);
    }
  }

  /** Steps taken (calls of {@link Optimizer.apply}). */
  get iterations(): number {
    return this.steps;
  }

  /** The variables that are trained now (`trainable` is true). */
  trainable(): tf.Variable[] {
    return this.variables.filter((v) => v.trainable);
  }

  /**
   * Takes one step: updates every trainable variable that has a gradient in `grads` (keyed by
   * variable name, same shapes, float32). Disposes `grads`.
   */
  apply(grads: tf.NamedTensorMap): void {
    this.steps += 1;
    const kind = KINDS[this.config.kind];
    const coefficients = this.coefficients();
    const memory = memoryOf(tf.backend(), tf.getBackend());
    try {
      for (const param of this.trainable()) {
        const grad = grads[param.name];
        if (grad === undefined) continue;
        const target = { param, grad, slots: this.slotsOf(param) };
        if (memory) fusedUpdate(memory, target, kind.arrays(coefficients));
        else tensorUpdate(target, kind.tensors(coefficients));
      }
    } finally {
      tf.dispose(grads);
    }
  }

  /**
   * What this optimizer has accumulated (for checkpoints). The tensors are the optimizer's own,
   * live: clone them to keep a snapshot, never dispose them.
   */
  exportState(): OptimizerState {
    const names = KINDS[this.config.kind].slots;
    return {
      iterations: this.steps,
      scalars: this.config.kind === 'adam' ? this.betaPowerTensors() : {},
      slots: Object.fromEntries(names.map((name, k) => [name, [...this.slots].map(([variable, slots]) => ({ variable, value: slots[k] }))])),
    };
  }

  /**
   * Replaces the accumulated state with `state` (the caller may dispose its tensors afterwards).
   * After importing the state exported from an optimizer of an identical model, the next step
   * is bit-identical to that optimizer's. Adam's β powers are recomputed from `iterations`
   * (as PyTorch does), so the `accBeta*` scalars are checked for presence and shape only.
   * @throws Error when the state does not fit this optimizer (slot or scalar names of another
   *   kind, a slot for a foreign variable, a shape differing from its variable's, slot lists
   *   that do not pair up, a negative iteration count); nothing is changed then.
   */
  importState(state: OptimizerState): void {
    this.checkState(state);
    this.disposeSlots();
    const names = KINDS[this.config.kind].slots;
    const lists = names.map((name) => state.slots[name]);
    (lists[0] ?? []).forEach(({ variable }, i) => this.slots.set(variable, lists.map((list) => tf.variable(list[i].value, false))));
    this.steps = state.iterations;
  }

  /** Releases the optimizer's accumulated state. */
  dispose(): void {
    this.disposeSlots();
    this.steps = 0;
  }

  private disposeSlots(): void {
    tf.dispose([...this.slots.values()].flat());
    this.slots.clear();
    if (this.betaPowers) tf.dispose(Object.values(this.betaPowers.tensors));
    this.betaPowers = null;
  }

  /** `param`'s slots, created as zeros at its first update. */
  private slotsOf(param: tf.Variable): tf.Variable[] {
    let slots = this.slots.get(param);
    if (!slots) {
      slots = KINDS[this.config.kind].slots.map(() => {
        const zeros = tf.zerosLike(param);
        const slot = tf.variable(zeros, false);
        zeros.dispose();
        return slot;
      });
      this.slots.set(param, slots);
    }
    return slots;
  }

  /** The hyper-parameters with PyTorch's defaults, for the step being taken. */
  private coefficients(): StepCoefficients {
    const c = this.config;
    return {
      lr: c.lr, weightDecay: c.weightDecay ?? 0, momentum: c.momentum ?? 0.9,
      beta1: c.beta1 ?? 0.9, beta2: c.beta2 ?? 0.999, epsilon: c.epsilon ?? 1e-8, step: this.steps,
    };
  }

  /** `accBeta1` = β1ᵗ and `accBeta2` = β2ᵗ (float32 scalars), made once per step count. */
  private betaPowerTensors(): Record<string, tf.Tensor> {
    if (this.betaPowers?.step !== this.steps) {
      if (this.betaPowers) tf.dispose(Object.values(this.betaPowers.tensors));
      const { beta1, beta2 } = this.coefficients();
      this.betaPowers = { step: this.steps, tensors: { accBeta1: tf.keep(tf.scalar(beta1 ** this.steps)), accBeta2: tf.keep(tf.scalar(beta2 ** this.steps)) } };
    }
    return this.betaPowers.tensors;
  }

  private checkState(state: OptimizerState): void {
    const where = `optimizer (${this.config.kind})`;
    if (!Number.isInteger(state.iterations) || state.iterations < 0) throw new Error(`${where}: iterations is ${state.iterations}; expected an integer ≥ 0`);
    const scalarNames = this.config.kind === 'adam' ? ['accBeta1', 'accBeta2'] : [];
    sameNames(`${where} scalars`, Object.keys(state.scalars), scalarNames);
    sameNames(`${where} slots`, Object.keys(state.slots), KINDS[this.config.kind].slots);
    for (const name of scalarNames) {
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
      // Slots are kept per variable, so every list must name the same variables in the same order.
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
 * - `scalars`: Adam's `accBeta1` and `accBeta2` (β1ᵗ, β2ᵗ as float32; informative: importing
 *   recomputes them from `iterations`); none for the other kinds.
 * - `slots`: per-variable state by slot name (Adam `m` and `v`, momentum `momentum`), each list in
 *   the order the slots were created (the order of the variables' first updates); SGD has none.
 */
export interface OptimizerState {
  iterations: number;
  scalars: Record<string, tf.Tensor>;
  slots: Record<string, SlotValue[]>;
}

function sameNames(what: string, actual: string[], expected: string[]): void {
  if (actual.length !== expected.length || expected.some((n) => !actual.includes(n))) {
    throw new Error(`${what}: got [${actual.join(', ')}]; expected [${expected.join(', ')}]`);
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
