import * as tf from '@tensorflow/tfjs';

/**
 * Base class of every trainable or stateless block, the counterpart of PyTorch's `nn.Module`.
 *
 * A module maps an input `I` to an output `O` in {@link Module.forward}. Parameters are
 * `tf.Variable`s registered with {@link Module.registerParameter}; sub-modules are registered with
 * {@link Module.registerModule} so that parameters, names and the train/eval mode reach them.
 * Signals and propagators are modules over tuples, exactly as in the reference package.
 */
export abstract class Module<I = tf.Tensor, O = tf.Tensor> {
  /** True in training mode (the default), false in evaluation mode. */
  training = true;
  private readonly ownParameters = new Map<string, tf.Variable>();
  private readonly children = new Map<string, Module<unknown, unknown>>();

  /** Computes the output. Implementations must not dispose their input. */
  abstract forward(input: I): O;

  /** Same as {@link Module.forward}; reads like calling a PyTorch module. */
  call(input: I): O {
    return this.forward(input);
  }

  /** Registers a parameter under `name` (unique within this module) and returns it. */
  protected registerParameter(name: string, initial: tf.Tensor, trainable = true): tf.Variable {
    if (this.ownParameters.has(name)) throw new Error(`parameter '${name}' is registered twice`);
    const variable = tf.variable(initial, trainable);
    initial.dispose();
    this.ownParameters.set(name, variable);
    return variable;
  }

  /** Registers a sub-module under `name` and returns it. */
  protected registerModule<M extends Module<never, unknown>>(name: string, module: M): M {
    if (this.children.has(name)) throw new Error(`module '${name}' is registered twice`);
    this.children.set(name, module as unknown as Module<unknown, unknown>);
    return module;
  }

  /** The registered sub-modules, in registration order. */
  modules(): Array<[string, Module<unknown, unknown>]> {
    return [...this.children.entries()];
  }

  /**
   * Every parameter of this module and its sub-modules, keyed by a dotted path
   * (`"0.kernel"`, `"context.0.gamma"`), in registration order.
   */
  namedParameters(prefix = ''): Array<[string, tf.Variable]> {
    const out: Array<[string, tf.Variable]> = [];
    for (const [name, v] of this.ownParameters) out.push([prefix + name, v]);
    for (const [name, child] of this.children) out.push(...child.namedParameters(`${prefix}${name}.`));
    return out;
  }

  /**
   * The parameters an outer optimizer of this module may train: its own and its sub-modules'
   * `parameters()`. A learning propagator returns none, so a model-level optimizer never
   * trains a layer that learns by itself (reference: `Loss.parameters()` is empty on purpose).
   * Use {@link Module.namedParameters} for every variable (checkpoints).
   */
  parameters(): tf.Variable[] {
    return [...this.ownParameters.values(), ...[...this.children.values()].flatMap((c) => c.parameters())];
  }

  /** Sets training (`true`) or evaluation (`false`) mode on this module and all sub-modules. */
  train(mode = true): this {
    this.training = mode;
    for (const child of this.children.values()) child.train(mode);
    return this;
  }

  /** Evaluation mode: same as `train(false)`. */
  eval(): this {
    return this.train(false);
  }

  /** Releases the memory of every parameter. The module is unusable afterwards. */
  dispose(): void {
    for (const v of this.ownParameters.values()) v.dispose();
    for (const child of this.children.values()) child.dispose();
  }
}
