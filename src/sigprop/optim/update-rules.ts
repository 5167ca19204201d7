/**
 * PyTorch's parameter updates (`torch.optim.SGD`, SGD with momentum, `Adam`, each with its
 * L2 `weight_decay`) as single passes over float32 arrays: one read and one write per element
 * and array, instead of one tensor op per term. Each function reads element `i` of every input
 * before writing element `i` of the outputs, so an output may be its input (in place).
 * These are the fallback of the native kernels (`native/src/addon.cc`), which compute the same
 * formulas in float32 op for op as PyTorch does. Here the arithmetic is done in double
 * precision and rounded once per stored value: rounding every operation to float32 with
 * `Math.fround` made the loop 4–5× slower in V8. Both agree to float32 rounding (≤ a few ulps).
 */

/** The hyper-parameters of one update. */
export interface UpdateCoefficients {
  lr: number;
  /** PyTorch's `weight_decay`: `grad + weightDecay · param` replaces `grad`. */
  weightDecay: number;
}

/** SGD: `p ← p − lr · (g + wd·p)`. Arrays of equal length; `pOut` may be `p`. */
export function sgdUpdate(p: Float32Array, g: Float32Array, pOut: Float32Array, c: UpdateCoefficients): void {
  const { lr, weightDecay: wd } = c;
  for (let i = 0; i < p.length; i++) {
    const pi = p[i];
    pOut[i] = pi - lr * (g[i] + wd * pi);
  }
}

/** Momentum's factor on top of {@link UpdateCoefficients}. */
export interface MomentumCoefficients extends UpdateCoefficients {
  momentum: number;
}

/**
 * SGD with momentum (no dampening, not Nesterov): `b ← μ·b + (g + wd·p)`, `p ← p − lr·b`.
 * PyTorch starts `b` as the first gradient; starting from zeros gives the same value
 * (`μ·0 + d = d` exactly). Arrays of equal length; outputs may be their inputs.
 */
export function momentumUpdate(p: Float32Array, g: Float32Array, b: Float32Array, pOut: Float32Array, bOut: Float32Array, c: MomentumCoefficients): void {
  const { lr, weightDecay: wd, momentum: mu } = c;
  for (let i = 0; i < p.length; i++) {
    const pi = p[i];
    // Rounded as stored, so that p moves by the buffer value the next step will read.
    const bi = Math.fround(mu * b[i] + (g[i] + wd * pi));
    bOut[i] = bi;
    pOut[i] = pi - lr * bi;
  }
}

/** Adam's coefficients for step `t` (1-based). */
export interface AdamCoefficients extends UpdateCoefficients {
  beta1: number;
  beta2: number;
  epsilon: number;
  /** The step number `t` ≥ 1, for the bias corrections `1 − β1ᵗ` and `1 − β2ᵗ`. */
  step: number;
}

/**
 * Adam's bias corrections for step `t`, in double precision as PyTorch computes them in Python
 * (`beta ** step`): `stepSize = lr / (1−β1ᵗ)` and `correction2 = √(1−β2ᵗ)`.
 */
export function adamCorrections(c: AdamCoefficients): { stepSize: number; correction2: number } {
  return { stepSize: c.lr / (1 - c.beta1 ** c.step), correction2: Math.sqrt(1 - c.beta2 ** c.step) };
}

/**
 * Adam (PyTorch 1.13 `_single_tensor_adam`, not AMSGrad), with `d = g + wd·p`:
 * `m ← β1·m + (1−β1)·d`, `v ← β2·v + (1−β2)·d·d`, `p ← p − stepSize·m / (√v / correction2 + ε)`
 * ({@link adamCorrections}). Arrays of equal length; outputs may be their inputs.
 */
export function adamUpdate(
  p: Float32Array, g: Float32Array, m: Float32Array, v: Float32Array,
  pOut: Float32Array, mOut: Float32Array, vOut: Float32Array, c: AdamCoefficients,
): void {
  const { weightDecay: wd, beta1, beta2, epsilon } = c;
  const { stepSize, correction2 } = adamCorrections(c);
  for (let i = 0; i < p.length; i++) {
    const pi = p[i];
    const d = g[i] + wd * pi;
    // Rounded as stored, so that p moves by the moments the next step will read.
    const mi = Math.fround(beta1 * m[i] + (1 - beta1) * d);
    const vi = Math.fround(beta2 * v[i] + (1 - beta2) * d * d);
    mOut[i] = mi;
    vOut[i] = vi;
    pOut[i] = pi - (stepSize * mi) / (Math.sqrt(vi) / correction2 + epsilon);
  }
}
