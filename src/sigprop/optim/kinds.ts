import type { ArrayRule, TensorRule } from './fused-update.js';
import { adamCorrections, adamUpdate, momentumUpdate, sgdUpdate } from './update-rules.js';
import { adamTensors, momentumTensors, sgdTensors } from './tensor-rules.js';
import { loadNative } from '../backend/native.js';

/** The optimizer kinds (PyTorch `SGD`, `SGD(momentum)`, `Adam`). */
export type OptimizerKind = 'sgd' | 'momentum' | 'adam';

/** An optimizer's hyper-parameters with every default filled in, and the step being taken. */
export interface StepCoefficients {
  lr: number;
  weightDecay: number;
  momentum: number;
  beta1: number;
  beta2: number;
  epsilon: number;
  /** 1-based number of the step being taken. */
  step: number;
}

/** What one kind keeps per variable and how it updates, over arrays and over tensors. */
export interface KindRules {
  /** Names of the per-variable slots, in the order the rules take them. */
  slots: string[];
  /**
   * The update over arrays: the native kernels' when they are loaded (the same formulas in
   * float32 as PyTorch; several times faster), else update-rules.ts's JavaScript loops.
   */
  arrays(c: StepCoefficients): ArrayRule;
  tensors(c: StepCoefficients): TensorRule;
}

/** Every kind's slots and rules. */
export const KINDS: Record<OptimizerKind, KindRules> = {
  sgd: {
    slots: [],
    arrays: (c) => {
      const native = loadNative();
      return native ? ([p], g, [pOut]) => native.sgdUpdate(p, g, pOut, c.lr, c.weightDecay) : ([p], g, [pOut]) => sgdUpdate(p, g, pOut, c);
    },
    tensors: (c) => (states, g) => sgdTensors(states, g, c),
  },
  momentum: {
    slots: ['momentum'],
    arrays: (c) => {
      const native = loadNative();
      return native
        ? ([p, b], g, [pOut, bOut]) => native.momentumUpdate(p, g, b, pOut, bOut, c.lr, c.weightDecay, c.momentum)
        : ([p, b], g, [pOut, bOut]) => momentumUpdate(p, g, b, pOut, bOut, c);
    },
    tensors: (c) => (states, g) => momentumTensors(states, g, c),
  },
  adam: {
    slots: ['m', 'v'],
    arrays: (c) => {
      const native = loadNative();
      if (!native) return ([p, m, v], g, [pOut, mOut, vOut]) => adamUpdate(p, g, m, v, pOut, mOut, vOut, c);
      const { stepSize, correction2 } = adamCorrections(c);
      return ([p, m, v], g, [pOut, mOut, vOut]) => native.adamUpdate(p, g, m, v, pOut, mOut, vOut, stepSize, correction2, c.weightDecay, c.beta1, c.beta2, c.epsilon);
    },
    tensors: (c) => (states, g) => adamTensors(states, g, c),
  },
};
