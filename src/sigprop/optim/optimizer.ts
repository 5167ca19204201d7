import * as tf from '@tensorflow/tfjs';

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
