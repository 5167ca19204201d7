/**
 * PyTorch's parameter updates (`torch.optim.SGD`, SGD with momentum, `Adam`, each with its
 * L2 `weight_decay`) as single passes over float32 arrays: one read and one write per element
 * and array, instead of one tensor op per term. Each function reads element `i` of every input
 * before writing element `i` of the outputs, so an output may be its input (in place).
 * The arithmetic is PyTorch's, op for op in float32: every operation is rounded to float32
 * (`Math.fround`; exact, since double holds any float32 sum, product, quotient or square root
 * correctly rounded) and the scalars are cast to float32 as ATen casts them. The native kernels
 * run the same float32 operations, so both give identical bits; PyTorch itself may differ in
 * the last bit where its vectorized kernels fuse a multiply-add.
 */

const f = Math.fround;

/** The hyper-parameters of one update. */
export interface UpdateCoefficients {
  lr: number;
  /** PyTorch's `weight_decay`: `grad + weightDecay · param` replaces `grad`. */
  weightDecay: number;
}

/** `grad.add(param, alpha=wd)` for one element (`g` itself when wd is 0, as PyTorch skips it). */
function decay(g: number, p: number, wd: number): number {
  return wd === 0 ? g : f(g + f(wd * p));
}

/** SGD: `p ← p − lr · (g + wd·p)`. Arrays of equal length; `pOut` may be `p`. */
export function sgdUpdate(p: Float32Array, g: Float32Array, pOut: Float32Array, c: UpdateCoefficients): void {
  const [minusLr, wd] = [f(-c.lr), f(c.weightDecay)];
  for (let i = 0; i < p.length; i++) {
    const pi = p[i];
    pOut[i] = f(pi + f(minusLr * decay(g[i], pi, wd)));
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
  const [minusLr, wd, mu] = [f(-c.lr), f(c.weightDecay), f(c.momentum)];
  for (let i = 0; i < p.length; i++) {
    const pi = p[i];
    const bi = f(f(mu * b[i]) + decay(g[i], pi, wd));
    bOut[i] = bi;
    pOut[i] = f(pi + f(minusLr * bi));
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
  const { stepSize, correction2 } = adamCorrections(c);
  const [wd, b1, a1, b2, a2] = [f(c.weightDecay), f(c.beta1), f(1 - c.beta1), f(c.beta2), f(1 - c.beta2)];
  const [minusStep, c2, eps] = [f(-stepSize), f(correction2), f(c.epsilon)];
  for (let i = 0; i < p.length; i++) {
    const pi = p[i];
    const d = decay(g[i], pi, wd);
    const mi = f(f(b1 * m[i]) + f(a1 * d));
    const vi = f(f(b2 * v[i]) + f(f(a2 * d) * d));
    mOut[i] = mi;
    vOut[i] = vi;
    pOut[i] = f(pi + f(f(minusStep * mi) / f(f(f(Math.sqrt(vi)) / c2) + eps)));
  }
}
